import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import {
  chatGroups,
  chatSends,
  claimedKeyPackages,
  deviceQueue,
  groupMembers,
  keyPackages,
} from '../delivery/delivery.schema.js';
import { groupDepartures } from '../membership/departures.schema.js';
import { externalProposals } from '../membership/removals.schema.js';
import { anyOf, runPrepared, statement } from '../delivery/prepared.js';
import { chatPolicies, heldMetadata } from './chat-policy.schema.js';

export type PolicyRow = typeof chatPolicies.$inferSelect;
export type HeldRow = typeof heldMetadata.$inferSelect;
export type NewHeldRow = typeof heldMetadata.$inferInsert;

/**
 * The institutions on legal hold among a JSON array of ids (`ids`), as rows `(id)`: also part of the
 * statement that starts a batch of sends (send-batch.repository.ts), which so reads the holds in its round trip.
 */
export const onHoldSql = (ids: SQL) => sql`select institution_id::text as id from ${chatPolicies}
    where institution_id = ${anyOf(ids, '::uuid')} and hold_since is not null`;
const ON_HOLD = statement('secure_chat_on_hold', (p) => onHoldSql(p(0)));

/** Both drivers answer `{ rows }` from execute(). */
const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** Chat policies, legal holds, held metadata, and the sweep's deletes; only the policy services use it. */
@Injectable()
export class ChatPolicyRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  /** Stored policies: these institutions' (null: all). */
  async policies(ids: readonly string[] | null, tx: Db = this.db): Promise<PolicyRow[]> {
    if (ids !== null && ids.length === 0) return [];
    const q = tx.select().from(chatPolicies);
    return (ids === null ? q : q.where(inArray(chatPolicies.institutionId, [...ids]))).orderBy(
      asc(chatPolicies.institutionId),
    );
  }

  /** The institution's row, locked until the transaction ends (a change reads what it replaces). */
  async lock(institutionId: string, tx: Db): Promise<PolicyRow | null> {
    const [row] = await tx
      .select()
      .from(chatPolicies)
      .where(eq(chatPolicies.institutionId, institutionId))
      .for('update');
    return row ?? null;
  }

  async upsert(row: typeof chatPolicies.$inferInsert, tx: Db): Promise<PolicyRow> {
    const { institutionId: _key, ...set } = row;
    const [stored] = await tx
      .insert(chatPolicies)
      .values(row)
      .onConflictDoUpdate({ target: chatPolicies.institutionId, set })
      .returning();
    return stored!;
  }

  /** Whether the institution is on legal hold (read inside the send's transaction). */
  /** Which of these institutions are on legal hold. */
  /** Read by every batch of sends: a prepared statement (see delivery/prepared.ts). */
  async onHoldAmong(institutionIds: readonly string[], tx: Db): Promise<Set<string>> {
    const rows = await runPrepared<{ id: string }>(tx, ON_HOLD, [JSON.stringify(institutionIds)]);
    return new Set(rows.map((r) => r.id));
  }

  async recordHeld(rows: readonly NewHeldRow[], tx: Db): Promise<void> {
    await tx.insert(heldMetadata).values([...rows]);
  }

  /** An institution's held metadata, newest first, before the id `beforeId`, within [from, to). */
  async held(q: { institutionId: string; beforeId?: number; from?: Date; to?: Date; limit: number }) {
    return this.db
      .select()
      .from(heldMetadata)
      .where(
        and(
          eq(heldMetadata.institutionId, q.institutionId),
          q.beforeId === undefined ? undefined : lt(heldMetadata.id, q.beforeId),
          q.from ? gte(heldMetadata.at, q.from) : undefined,
          q.to ? lt(heldMetadata.at, q.to) : undefined,
        ),
      )
      .orderBy(desc(heldMetadata.id))
      .limit(q.limit);
  }

  /**
   * Deletes up to `batch` envelopes older than their recipient's institution's retention (the institution of
   * the device as a group member; `defaultDays` when unknown or without a policy). `floor`: nothing newer than
   * it can be due (the shortest retention in force), so the scan stays on the created_at index.
   */
  async purgeQueue(now: Date, floor: Date, defaultDays: number, batch: number): Promise<number> {
    const retention = sql`coalesce((
        select p.retention_days from ${chatPolicies} p
        join ${groupMembers} m on m.institution_id = p.institution_id
        where m.device_id = q.device_id limit 1), ${defaultDays})`;
    return this.count(sql`
      with due as (
        select q.device_id, q.seq from ${deviceQueue} q
        where q.created_at < ${floor.toISOString()}::timestamptz
          and q.created_at < ${now.toISOString()}::timestamptz - make_interval(days => ${retention})
        limit ${batch}
      ), gone as (
        delete from ${deviceQueue} d using due
        where d.device_id = due.device_id and d.seq = due.seq returning 1
      )
      select count(*)::int as n from gone`);
  }

  /** Forgets client ids of sends older than `before` (a retry after that is a new send). */
  async purgeSends(before: Date, batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${chatSends} where (device_id, client_id) in (
        select device_id, client_id from ${chatSends}
        where created_at < ${before.toISOString()}::timestamptz limit ${batch}) returning 1)
      select count(*)::int as n from gone`);
  }

  /** Deletes KeyPackages whose lifetime ended (last-resort ones included: no one may claim them). */
  async purgeKeyPackages(now: Date, batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${keyPackages} where ref in (
        select ref from ${keyPackages} where not_after <= ${now.toISOString()}::timestamptz limit ${batch})
        returning 1)
      select count(*)::int as n from gone`);
  }

  /** Deletes the records of KeyPackages handed out that expired (no commit may add them any more). */
  async purgeClaimedKeyPackages(now: Date, batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${claimedKeyPackages} where (ref, claimed_by) in (
        select ref, claimed_by from ${claimedKeyPackages} where not_after <= ${now.toISOString()}::timestamptz
        limit ${batch})
        returning 1)
      select count(*)::int as n from gone`);
  }

  /**
   * Deletes the server's external proposals of an epoch their group has left (void, RFC 9420 §12.4) or of a
   * group that is gone; those of a group's current epoch stay however old (a member may still commit them).
   */
  async purgeStaleProposals(batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${externalProposals} where id in (
        select p.id from ${externalProposals} p
        where not exists (select 1 from ${chatGroups} g where g.group_id = p.group_id and g.epoch = p.epoch)
        limit ${batch})
        returning 1)
      select count(*)::int as n from gone`);
  }

  /**
   * Deletes the departures settled (their Remove committed, or the group closed) whose leave is older than
   * `before`: kept until then only so that a repeated leave gets the same answer. A pending one stays (it
   * refuses a commit that keeps the device) until a commit settles it.
   */
  async purgeSettledDepartures(before: Date, batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${groupDepartures} where (group_id, device_id) in (
        select group_id, device_id from ${groupDepartures}
        where settled and departed_at < ${before.toISOString()}::timestamptz limit ${batch}) returning 1)
      select count(*)::int as n from gone`);
  }

  /** Deletes held metadata of institutions no longer on hold. */
  async purgeReleased(batch: number): Promise<number> {
    return this.count(sql`
      with gone as (delete from ${heldMetadata} where id in (
        select h.id from ${heldMetadata} h
        where not exists (select 1 from ${chatPolicies} p
                          where p.institution_id = h.institution_id and p.hold_since is not null)
        limit ${batch}) returning 1)
      select count(*)::int as n from gone`);
  }

  /** Runs a `… select count(*)::int as n` statement (both drivers answer `{ rows }`). */
  private async count(statement: SQL): Promise<number> {
    return rowsOf<{ n: number }>(await this.db.execute(statement))[0]?.n ?? 0;
  }
}
