import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import { calls, mediaHosts } from '../calls.schema.js';

export type MediaHostRow = typeof mediaHosts.$inferSelect;
export type NewMediaHost = typeof mediaHosts.$inferInsert;
export type HealthUpdate = Pick<
  MediaHostRow,
  'health' | 'failures' | 'healthDetail' | 'janusVersion' | 'sessions' | 'checkedAt'
>;

/** Media hosts and their live rooms. */
@Injectable()
export class MediaHostsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): DatabaseHandle['db'] {
    return this.database.db;
  }

  list(tx: Db = this.db): Promise<MediaHostRow[]> {
    return tx.select().from(mediaHosts).orderBy(asc(mediaHosts.name));
  }

  async find(idOrName: string, tx: Db = this.db): Promise<MediaHostRow | null> {
    const byId = /^[0-9a-f-]{36}$/i.test(idOrName);
    const [row] = await tx
      .select()
      .from(mediaHosts)
      .where(byId ? eq(mediaHosts.id, idOrName) : eq(mediaHosts.name, idOrName));
    return row ?? null;
  }

  async insert(row: NewMediaHost, tx: Db = this.db): Promise<boolean> {
    const done = await tx
      .insert(mediaHosts)
      .values(row)
      .onConflictDoNothing()
      .returning({ id: mediaHosts.id });
    return done.length > 0;
  }

  /** The embedded host's row, rewritten at each start (new ports and admin secret). */
  async upsertEmbedded(row: NewMediaHost, tx: Db = this.db): Promise<void> {
    await tx
      .insert(mediaHosts)
      .values({ ...row, embedded: true })
      .onConflictDoUpdate({
        target: mediaHosts.name,
        set: {
          wsUrl: row.wsUrl,
          adminUrl: row.adminUrl,
          adminSecretSealed: row.adminSecretSealed,
          capacity: row.capacity,
          health: 'unknown',
          failures: 0,
          healthDetail: null,
        },
      });
  }

  async remove(id: string, tx: Db = this.db): Promise<void> {
    await tx.delete(mediaHosts).where(eq(mediaHosts.id, id));
  }

  /**
   * Stores a probe's result; returns whether the health changed (only a change is an event, and only the one
   * node whose update moved it publishes it).
   */
  async recordHealth(id: string, u: HealthUpdate, tx: Db = this.db): Promise<boolean> {
    const [before] = await tx
      .update(mediaHosts)
      .set(u)
      .where(and(eq(mediaHosts.id, id), ne(mediaHosts.health, u.health)))
      .returning({ id: mediaHosts.id });
    if (before) return true;
    await tx.update(mediaHosts).set(u).where(eq(mediaHosts.id, id));
    return false;
  }

  /** Live rooms per host. */
  async liveRooms(tx: Db = this.db): Promise<Map<string, number>> {
    const rows = await tx
      .select({ hostId: calls.hostId, n: count() })
      .from(calls)
      .where(eq(calls.state, 'live'))
      .groupBy(calls.hostId);
    return new Map(rows.map((r) => [r.hostId, Number(r.n)]));
  }

  /** Serialises placements (two starts never both take a host's last room). */
  async lockPlacement(tx: Db): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('secure-chat.calls.placement'))`);
  }
}
