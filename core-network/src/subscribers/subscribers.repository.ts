import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, scopeCondition, type DatabaseHandle, type Db, type Principal } from '@pakawaaz/platform';
import { and, eq, ilike, inArray, isNotNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { simCards } from '../sim-inventory/sims.schema.js';
import {
  staticIpv6Prefix,
  subscriberDeletions,
  subscriberProfiles,
  subscribers,
} from './subscribers.schema.js';

export type SubscriberRow = typeof subscribers.$inferSelect;
export type ProfileRow = typeof subscriberProfiles.$inferSelect;
export type SubscriberListQuery = {
  search?: string | undefined;
  status?: 'active' | 'barred' | undefined;
  institutionId?: string | undefined;
  profile?: string | undefined;
  limit: number;
  offset: number;
};

@Injectable()
export class SubscribersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async find(imsi: string, tx?: Db): Promise<SubscriberRow | undefined> {
    if (tx) return (await tx.select().from(subscribers).where(eq(subscribers.imsi, imsi)).limit(1))[0];
    // Prepared: every EAP-AKA authentication asks whose SIM this is.
    this.byImsi ??= this.prepareByImsi();
    return (await this.byImsi.execute({ imsi }))[0];
  }

  private byImsi: ReturnType<typeof this.prepareByImsi> | undefined;

  private prepareByImsi() {
    return this.db
      .select()
      .from(subscribers)
      .where(eq(subscribers.imsi, sql.placeholder('imsi')))
      .limit(1)
      .prepare('core_network_subscriber_by_imsi');
  }

  /** The subscriber holding this static IPv4 address, other than `except`. */
  async byStaticIpv4(tx: Db, address: string, except: string): Promise<SubscriberRow | undefined> {
    const [row] = await tx
      .select()
      .from(subscribers)
      .where(and(eq(subscribers.staticIpv4, address), ne(subscribers.imsi, except)))
      .limit(1);
    return row;
  }

  /** The subscriber whose static IPv6 address is in the same /64 as this one, other than `except`. */
  async byStaticIpv6Prefix(tx: Db, address: string, except: string): Promise<SubscriberRow | undefined> {
    const [row] = await tx
      .select()
      .from(subscribers)
      .where(
        and(
          isNotNull(subscribers.staticIpv6),
          sql`${staticIpv6Prefix(subscribers.staticIpv6)} = network(set_masklen(${address}::inet, 64))`,
          ne(subscribers.imsi, except),
        ),
      )
      .limit(1);
    return row;
  }

  /** Subscribers with a static address (optionally on one profile), with their profile's stored JSON. */
  async withStaticAddresses(
    tx: Db,
    profile?: string,
  ): Promise<
    {
      imsi: string;
      displayName: string;
      staticIpv4: string | null;
      staticIpv6: string | null;
      profileName: string;
      profile: unknown;
    }[]
  > {
    return tx
      .select({
        imsi: subscribers.imsi,
        displayName: subscribers.displayName,
        staticIpv4: subscribers.staticIpv4,
        staticIpv6: subscribers.staticIpv6,
        profileName: subscribers.profileName,
        profile: subscriberProfiles.profile,
      })
      .from(subscribers)
      .innerJoin(subscriberProfiles, eq(subscriberProfiles.name, subscribers.profileName))
      .where(
        and(
          or(isNotNull(subscribers.staticIpv4), isNotNull(subscribers.staticIpv6)),
          profile === undefined ? undefined : eq(subscribers.profileName, profile),
        ),
      )
      .orderBy(subscribers.imsi);
  }

  async insert(tx: Db, row: typeof subscribers.$inferInsert): Promise<void> {
    await tx.insert(subscribers).values(row);
  }

  /** Bars an active subscriber; no row when it is already barred or gone (idempotent under concurrency). */
  /** Bars an active subscriber; with `userId`, only if the SIM is assigned to that official. */
  async barIfActive(
    tx: Db,
    imsi: string,
    reason: string,
    by: string,
    userId?: string,
  ): Promise<SubscriberRow | undefined> {
    const [row] = await tx
      .update(subscribers)
      .set({
        status: 'barred',
        barringReason: reason,
        barredBy: by,
        version: sql`${subscribers.version} + 1`,
        updatedAt: new Date(),
      })
      .where(
        and(
          eq(subscribers.imsi, imsi),
          eq(subscribers.status, 'active'),
          userId === undefined ? undefined : eq(subscribers.userId, userId),
        ),
      )
      .returning();
    return row;
  }

  /** Applies a change and bumps the version the reconciler compares against. */
  async update(
    tx: Db,
    imsi: string,
    values: Partial<typeof subscribers.$inferInsert>,
  ): Promise<SubscriberRow | undefined> {
    const [row] = await tx
      .update(subscribers)
      .set({ ...values, version: sql`${subscribers.version} + 1`, updatedAt: new Date() })
      .where(eq(subscribers.imsi, imsi))
      .returning();
    return row;
  }

  async remove(tx: Db, imsi: string): Promise<boolean> {
    const rows = await tx
      .delete(subscribers)
      .where(eq(subscribers.imsi, imsi))
      .returning({ imsi: subscribers.imsi });
    if (rows.length) await tx.insert(subscriberDeletions).values({ imsi }).onConflictDoNothing();
    return rows.length > 0;
  }

  /**
   * Search matches IMSI or MSISDN prefixes and names (case-insensitive substring); only subscribers in the
   * caller's scope (an institution's principal: its institutions' subscribers) are listed or counted.
   */
  async list(
    q: SubscriberListQuery,
    caller: Pick<Principal, 'scope'>,
  ): Promise<{ rows: (SubscriberRow & { msisdn: string | null })[]; total: number }> {
    const where: (SQL | undefined)[] = [scopeCondition(caller, subscribers.institutionId)];
    if (q.search) {
      const s = q.search.replace(/[%_\\]/g, '');
      where.push(
        or(
          ilike(subscribers.imsi, `${s}%`),
          ilike(simCards.msisdn, `${s}%`),
          ilike(subscribers.displayName, `%${s}%`),
          ilike(subscribers.userId, `${s}%`),
        ),
      );
    }
    if (q.status) where.push(eq(subscribers.status, q.status));
    if (q.institutionId) where.push(eq(subscribers.institutionId, q.institutionId));
    if (q.profile) where.push(eq(subscribers.profileName, q.profile));
    const cond = and(...where);
    const base = this.db
      .select({ s: subscribers, msisdn: simCards.msisdn })
      .from(subscribers)
      .leftJoin(simCards, eq(simCards.imsi, subscribers.imsi))
      .where(cond);
    const [rows, [count]] = await Promise.all([
      base.orderBy(subscribers.imsi).limit(q.limit).offset(q.offset),
      this.db
        .select({ n: sql<number>`count(*)::int` })
        .from(subscribers)
        .leftJoin(simCards, eq(simCards.imsi, subscribers.imsi))
        .where(cond),
    ]);
    return { rows: rows.map((r) => ({ ...r.s, msisdn: r.msisdn })), total: count?.n ?? 0 };
  }

  async profile(name: string, tx: Db = this.db): Promise<ProfileRow | undefined> {
    const [row] = await tx
      .select()
      .from(subscriberProfiles)
      .where(eq(subscriberProfiles.name, name))
      .limit(1);
    return row;
  }

  profiles(tx: Db = this.db): Promise<ProfileRow[]> {
    return tx.select().from(subscriberProfiles).orderBy(subscriberProfiles.name);
  }

  async upsertProfile(tx: Db, name: string, description: string, profile: unknown): Promise<void> {
    await tx
      .insert(subscriberProfiles)
      .values({ name, description, profile })
      .onConflictDoUpdate({
        target: subscriberProfiles.name,
        set: { description, profile, updatedAt: new Date() },
      });
  }

  async deleteProfile(tx: Db, name: string): Promise<boolean> {
    return (
      (
        await tx
          .delete(subscriberProfiles)
          .where(eq(subscriberProfiles.name, name))
          .returning({ n: subscriberProfiles.name })
      ).length > 0
    );
  }

  async countUsing(tx: Db, profile: string): Promise<number> {
    const [r] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(subscribers)
      .where(eq(subscribers.profileName, profile));
    return r?.n ?? 0;
  }

  /** A profile changed: every subscriber on it must be pushed again. */
  async bumpProfileUsers(tx: Db, profile: string): Promise<void> {
    await tx
      .update(subscribers)
      .set({ version: sql`${subscribers.version} + 1` })
      .where(eq(subscribers.profileName, profile));
  }

  /** Subscribers naming any of these user references (id or username), in one query. */
  async byUsers(userRefs: readonly string[]): Promise<SubscriberRow[]> {
    return userRefs.length
      ? this.db
          .select()
          .from(subscribers)
          .where(inArray(subscribers.userId, [...userRefs]))
      : [];
  }

  /** The row with its SIM's MSISDN, as the API shows it. */
  async withMsisdn(row: SubscriberRow): Promise<SubscriberRow & { msisdn: string | null }> {
    const [sim] = await this.db
      .select({ msisdn: simCards.msisdn })
      .from(simCards)
      .where(eq(simCards.imsi, row.imsi))
      .limit(1);
    return { ...row, msisdn: sim?.msisdn ?? null };
  }

  all(): Promise<SubscriberRow[]> {
    return this.db.select().from(subscribers).orderBy(subscribers.imsi);
  }

  async pendingDeletions(): Promise<string[]> {
    return (await this.db.select({ imsi: subscriberDeletions.imsi }).from(subscriberDeletions)).map(
      (r) => r.imsi,
    );
  }

  async clearDeletions(imsis: string[]): Promise<void> {
    if (imsis.length)
      await this.db.delete(subscriberDeletions).where(inArray(subscriberDeletions.imsi, imsis));
  }

  /** Records what was pushed; a subscriber changed meanwhile keeps a higher version and stays pending. */
  async markSynced(versions: Map<string, number>): Promise<void> {
    const now = new Date();
    for (const [imsi, version] of versions) {
      await this.db
        .update(subscribers)
        .set({ syncedVersion: version, syncedAt: now, syncError: null })
        .where(and(eq(subscribers.imsi, imsi), sql`${subscribers.syncedVersion} < ${version}`));
    }
  }

  async existing(imsis: string[]): Promise<string[]> {
    if (!imsis.length) return [];
    return (
      await this.db
        .select({ imsi: subscribers.imsi })
        .from(subscribers)
        .where(inArray(subscribers.imsi, imsis))
    ).map((r) => r.imsi);
  }
}
