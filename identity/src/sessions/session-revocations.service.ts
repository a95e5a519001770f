import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  AuditService,
  consume,
  EVENT_BUS,
  type Actor,
  type Db,
  type EventBus,
  type Subscription,
} from '@pakawaaz/platform';
import { SESSION_CACHE, type SessionCacheHandle } from './session-cache.provider.js';
import {
  SESSION_CACHE_CONSUMER,
  SessionBound,
  SessionRevoked,
  type SessionRevokedEvent,
} from './sessions.events.js';
import { SessionsRepository, type SessionRow } from './sessions.repository.js';

/**
 * Ending sessions: a session's or all of a user's revoked with their audit record, the revocation announced on
 * the bus and this node's session cache told; other nodes' revocations and bindings reach the cache through the
 * bus. SessionsService decides who may end which session; the services that disable a user end theirs here.
 */
@Injectable()
export class SessionRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly repo: SessionsRepository,
    private readonly audit: AuditService,
    @Inject(SESSION_CACHE) private readonly cache: SessionCacheHandle,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  /** Other nodes' revocations and bindings reach this node's cache through the bus (the recheck interval bounds the rest). */
  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await consume(this.bus, SESSION_CACHE_CONSUMER, (event) => {
      // Bound: re-read the session (its sign-in's unbound token now serves logout only); revoked: refuse it.
      if (event.type === SessionBound.type) this.cache.forget(event.data.sessionId);
      else this.cache.revoked(event.data.sessionId);
      return Promise.resolve();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.unsubscribe();
  }

  /**
   * Ends every session of a user (disabled, password reset or changed, factors reset) but `except` (the
   * caller's own, when they changed their own password): their tokens stop working at once.
   */
  async revokeAllOf(
    userId: string,
    reason: string,
    actor: Actor,
    requestId: string | null,
    tx: Db = this.repo.db,
    except?: string,
  ): Promise<number> {
    const ids = await this.repo.revokeAllOf(userId, reason, new Date(), tx, except);
    for (const sessionId of ids) await this.announce({ sessionId, userId, reason });
    if (ids.length)
      await this.audit.record(
        {
          actor,
          action: 'identity.session.revoked-all',
          target: `user:${userId}`,
          details: { reason, sessions: ids.length },
          requestId,
        },
        tx,
      );
    return ids.length;
  }

  /** Ends one session (a no-op if it was already ended), then announces it. */
  async revokeSession(session: SessionRow, reason: string, actor: Actor, requestId: string | null) {
    await this.repo.db.transaction(async (tx) => {
      if (!(await this.repo.revoke(session.id, reason, new Date(), tx))) return;
      await this.audit.record(
        {
          actor,
          action: 'identity.session.revoked',
          target: `session:${session.id}`,
          details: { reason, userId: session.userId },
          requestId,
        },
        tx,
      );
    });
    await this.announce({ sessionId: session.id, userId: session.userId, reason });
  }

  private async announce(data: SessionRevokedEvent): Promise<void> {
    this.cache.revoked(data.sessionId);
    await this.bus.publish(SessionRevoked.create(data));
  }
}
