import { Inject, Injectable } from '@nestjs/common';
import { isNational, platformError, type Principal } from '@pakawaaz/platform';
import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { RateLimiter } from '../auth/rate-limiter.js';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import { identityError } from '../identity.errors.js';
import { likePattern, UsersRepository } from '../users/users.repository.js';
import { users } from '../users/users.schema.js';
import { InstitutionsRepository } from './institutions.repository.js';
import { visibleInstitutions } from './visibility.js';

export type DirectoryEntry = {
  id: string;
  displayName: string;
  designation: string | null;
  institutionId: string | null;
  institution: string | null;
  email: string | null;
  phone: string | null;
};
export type DirectoryQuery = { q: string; institution?: string | undefined; limit: number; offset: number };

/** Deep paging is what scraping looks like; a person looks at a few pages of a search. */
export const DIRECTORY_MAX_OFFSET = 200;

/**
 * The controlled directory: officials — and operators or tokens of an institution — look up active officials
 * of the institutions their own institution may see (its directory scope and grants); national operators
 * see everyone. Searches need two characters, come in pages of at most
 * 25, stop at offset 200, and are rate-limited per caller — so the directory cannot be copied wholesale.
 */
@Injectable()
export class DirectoryService {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly usersRepo: UsersRepository,
    private readonly institutions: InstitutionsRepository,
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
  ) {
    this.limiter = new RateLimiter(config.directoryRate);
  }

  async search(
    q: DirectoryQuery,
    principal: Principal,
  ): Promise<{ entries: DirectoryEntry[]; total: number }> {
    const allowed = this.limiter.take(`${principal.actor.type}:${principal.actor.id}`, Date.now());
    if (!allowed.allowed)
      throw identityError(
        'rate_limited',
        `Too many directory searches: wait ${allowed.retryAfterSeconds} s.`,
        { retryAfterSeconds: allowed.retryAfterSeconds },
      );
    if (q.offset > DIRECTORY_MAX_OFFSET)
      throw platformError(
        'validation_failed',
        `Refine the search: results beyond ${DIRECTORY_MAX_OFFSET} are not listed.`,
      );
    const [all, grants] = await Promise.all([this.institutions.all(), this.institutions.grants()]);
    const visible = isNational(principal)
      ? 'all'
      : visibleInstitutions(principal.institutionId ?? '', all, grants);
    const ids = visible === 'all' ? all.map((i) => i.id) : [...visible];
    const scoped = q.institution ? ids.filter((id) => id === q.institution) : ids;
    if (!scoped.length) return { entries: [], total: 0 };
    const where = and(
      eq(users.kind, 'official'),
      eq(users.status, 'active'),
      inArray(users.institutionId, scoped),
      or(
        ilike(users.displayName, likePattern(q.q)),
        ilike(users.designation, likePattern(q.q)),
        ilike(users.username, likePattern(q.q)),
      ),
    );
    const db = this.usersRepo.db;
    const [rows, [count]] = await Promise.all([
      db.select().from(users).where(where).orderBy(asc(users.displayName)).limit(q.limit).offset(q.offset),
      db
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(where),
    ]);
    const names = new Map(all.map((i) => [i.id, i.name]));
    const entries = rows.map((u) => ({
      id: u.id,
      displayName: u.displayName,
      designation: u.designation,
      institutionId: u.institutionId,
      institution: u.institutionId ? (names.get(u.institutionId) ?? null) : null,
      email: u.email,
      phone: u.phone,
    }));
    return { entries, total: count?.n ?? 0 };
  }
}
