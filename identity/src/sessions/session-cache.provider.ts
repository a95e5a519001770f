import type { Provider } from '@nestjs/common';
import { SessionCache } from './session-cache.js';
import { SessionsRepository } from './sessions.repository.js';

export const SESSION_CACHE = Symbol.for('pakawaaz.identity.SessionCache');
export type SessionCacheHandle = SessionCache;

/** One cache per node, reading sessions through the repository. */
export const sessionCacheProvider: Provider = {
  provide: SESSION_CACHE,
  inject: [SessionsRepository],
  useFactory: (repo: SessionsRepository) => createSessionCache(repo),
};

export function createSessionCache(repo: SessionsRepository): SessionCache {
  return new SessionCache({
    load: async (sid) => {
      const s = await repo.find(sid);
      return s
        ? {
            createdAt: s.createdAt,
            lastSeenAt: s.lastSeenAt,
            idleTimeoutSeconds: s.idleTimeoutSeconds,
            expiresAt: s.expiresAt,
            revoked: s.revokedAt !== null,
            dpopJkt: s.dpopJkt,
          }
        : null;
    },
    touch: (sid, at) => repo.touch(sid, at),
  });
}
