import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { desc, max, sql } from 'drizzle-orm';
import { networkSpecs } from './network-specs.schema.js';

export type NetworkSpecRow = typeof networkSpecs.$inferSelect;

/** Advisory lock key serialising spec versions cluster-wide ("pkzn" folded to 32 bits). */
const VERSION_LOCK_KEY = 0x706b7a6e;

@Injectable()
export class NetworkSpecRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** The newest version is the current spec. */
  async current(tx: Db = this.database.db): Promise<NetworkSpecRow | undefined> {
    const rows = await tx.select().from(networkSpecs).orderBy(desc(networkSpecs.version)).limit(1);
    return rows[0];
  }

  /** 0 when no spec was ever applied. */
  async latestVersion(tx: Db = this.database.db): Promise<number> {
    const rows = await tx.select({ version: max(networkSpecs.version) }).from(networkSpecs);
    return rows[0]?.version ?? 0;
  }

  async insert(row: typeof networkSpecs.$inferInsert, tx: Db = this.database.db): Promise<void> {
    await tx.insert(networkSpecs).values(row);
  }

  /**
   * Held until the caller's transaction ends, so two nodes applying at once get versions n and n+1 instead of
   * both reading n-1 and one failing on the primary key. PGlite has one connection and serialises already.
   */
  async lockVersions(tx: Db): Promise<void> {
    if (this.database.mode === 'postgresql')
      await tx.execute(sql`select pg_advisory_xact_lock(${VERSION_LOCK_KEY})`);
  }
}
