import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { asc, eq, isNull, lt, or } from 'drizzle-orm';
import { turnServers } from '../calls.schema.js';
import { nextTurnHealth, type TurnHealth } from './turn-health.js';
import type { ProbeResult } from './turn-probe.js';

export type TurnServerRow = typeof turnServers.$inferSelect;

/**
 * The TURN servers' shared health: one row per `host:port` some node probes. Nodes may list different servers
 * (a rolling configuration change): a node adds the rows of its own servers as it probes them and never
 * removes another's; a row no node has checked for a while is pruned.
 */
@Injectable()
export class TurnServersRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  list(): Promise<TurnServerRow[]> {
    return this.database.db.select().from(turnServers).orderBy(asc(turnServers.server));
  }

  /** Drops the rows of servers no node has checked since `before` (no longer configured anywhere). */
  async prune(before: Date): Promise<void> {
    await this.database.db
      .delete(turnServers)
      .where(or(lt(turnServers.checkedAt, before), isNull(turnServers.checkedAt)));
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
  ): Promise<{ before: TurnHealth; after: TurnHealth }> {
    return this.database.db.transaction(async (tx) => {
      // Created here, in the transaction that checks it: no other node ever sees it unchecked.
      await tx.insert(turnServers).values({ server }).onConflictDoNothing();
      const [row] = await tx.select().from(turnServers).where(eq(turnServers.server, server)).for('update');
      if (!row) throw new Error(`TURN server row ${server} vanished`);
      const next = nextTurnHealth(row.health, row.failures, probe.health, threshold);
      await tx
        .update(turnServers)
        .set({ ...next, detail: probe.error, rttMs: probe.rttMs, checkedAt: at })
        .where(eq(turnServers.server, server));
      return { before: row.health, after: next.health };
    });
  }
}
