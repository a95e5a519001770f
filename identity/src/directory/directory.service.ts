import { Injectable } from '@nestjs/common';
import { isNational, platformError, type DevicePrincipal, type Principal } from '@pakawaaz/platform';
import { and, asc, eq, ilike, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { identityError } from '../identity.errors.js';
import { likePattern, prefixPattern, UsersRepository } from '../users/users.repository.js';
import { users } from '../users/users.schema.js';
import { DirectoryBudget } from './directory-budget.js';
import { InstitutionsRepository } from './institutions.repository.js';
import { seenOfficials, visibleInstitutions, type SeenOfficials } from './visibility.js';

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
/** An official a device's owner may start a chat with: the id the chat's claim takes, and what to show. */
export type Person = {
  userId: string;
  displayName: string;
  designation: string | null;
  institutionId: string | null;
  institution: string | null;
};
export type PeopleQuery = { q: string; limit: number };

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
  constructor(
    private readonly usersRepo: UsersRepository,
    private readonly institutions: InstitutionsRepository,
    private readonly budget: DirectoryBudget,
  ) {}

  async search(
    q: DirectoryQuery,
    principal: Principal,
  ): Promise<{ entries: DirectoryEntry[]; total: number }> {
    await this.take(`${principal.actor.type}:${principal.actor.id}`);
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

  /**
   * People search for an official's device (handset or web client): active officials whose name — or a word
   * of it — or username starts with `q`, among those the device's official may see by the very rule secure
   * chat applies to group members (`OfficialVisibility.maySee`, here for every target at once). The caller is
   * left out; no paging beyond the first `limit`; the same per-official budget as `search`. The device's
   * official is read afresh: a disabled official's device (its certificate still valid) is refused, and the
   * scope is the official's current institution, not the one the device was enrolled under.
   */
  async people(device: DevicePrincipal, q: PeopleQuery): Promise<{ people: Person[] }> {
    if (device.kind === 'bot')
      throw platformError('forbidden', 'People search is for officials’ devices, not bots.');
    const owner = await this.usersRepo.findById(device.userId);
    if (owner?.kind !== 'official' || owner.status !== 'active')
      throw platformError('forbidden', 'People search is for active officials’ devices.');
    await this.take(`official:${owner.id}`);
    const [all, grants] = await Promise.all([this.institutions.all(), this.institutions.grants()]);
    const seen = seenOfficials(owner.institutionId, all, grants);
    const visible = visibility(seen);
    if (visible === null) return { people: [] };
    const rows = await this.usersRepo.db
      .select()
      .from(users)
      .where(
        and(
          eq(users.kind, 'official'),
          eq(users.status, 'active'),
          ne(users.id, device.userId),
          visible,
          or(
            ilike(users.displayName, prefixPattern(q.q)),
            ilike(users.displayName, `% ${prefixPattern(q.q)}`),
            ilike(users.username, prefixPattern(q.q)),
          ),
        ),
      )
      .orderBy(asc(users.displayName), asc(users.id))
      .limit(q.limit);
    const names = new Map(all.map((i) => [i.id, i.name]));
    return {
      people: rows.map((u) => ({
        userId: u.id,
        displayName: u.displayName,
        designation: u.designation,
        institutionId: u.institutionId,
        institution: u.institutionId ? (names.get(u.institutionId) ?? null) : null,
      })),
    };
  }

  /** Spends one search of the caller's budget, counted across every node (DirectoryBudget). */
  private async take(key: string): Promise<void> {
    const allowed = await this.budget.take(key);
    if (!allowed.allowed)
      throw identityError(
        'rate_limited',
        `Too many directory searches: wait ${allowed.retryAfterSeconds} s.`,
        { retryAfterSeconds: allowed.retryAfterSeconds },
      );
  }
}

/** The query's condition for whom `seen` includes (undefined: no condition); null when nobody. */
function visibility(seen: SeenOfficials): SQL | undefined | null {
  if (seen.kind === 'everyone') return undefined;
  if (seen.kind === 'any-institution') return isNotNull(users.institutionId);
  return seen.ids.length ? inArray(users.institutionId, [...seen.ids]) : null;
}
