import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { asc, eq, notInArray } from 'drizzle-orm';
import { turnServers } from '../calls.schema.js';
import { nextTurnHealth, type TurnHealth } from './turn-health.js';
import type { ProbeResult } from './turn-probe.js';

export type TurnServerRow = typeof turnServers.$inferSelect;

/** The TURN servers' shared health (one row per configured `host:port`). */
@Injectable()
export class TurnServersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  list(): Promise<TurnServerRow[]> {
    return this.database.db.select().from(turnServers).orderBy(asc(turnServers.server));
  }

  /** Rows for the configured servers exist; those of servers no longer configured go. */
  async sync(servers: readonly string[]): Promise<void> {
    const db = this.database.db;
    if (servers.length > 0)
      await db
        .insert(turnServers)
        .values(servers.map((server) => ({ server })))
        .onConflictDoNothing();
    await db
      .delete(turnServers)
      .where(servers.length > 0 ? notInArray(turnServers.server, [...servers]) : undefined);
  }

  /**
   * Applies one probe under the row's lock (nodes probing at once count their failures one after the other)
   * and returns the health before and after: only the node whose probe changed it acts on the change.
   */
  async record(
    server: string,
    probe: ProbeResult,
    threshold: number,
    at: Date,
  ): Promise<{ before: TurnHealth; after: TurnHealth } | null> {
    return this.database.db.transaction(async (tx) => {
      const [row] = await tx.select().from(turnServers).where(eq(turnServers.server, server)).for('update');
      if (!row) return null;
      const next = nextTurnHealth(row.health, row.failures, probe.health, threshold);
      await tx
        .update(turnServers)
        .set({ ...next, detail: probe.error, rttMs: probe.rttMs, checkedAt: at })
        .where(eq(turnServers.server, server));
      return { before: row.health, after: next.health };
    });
  }
}
