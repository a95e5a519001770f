import { randomBytes, randomUUID } from 'node:crypto';
import { eq, ne, sql } from 'drizzle-orm';
import { customType, text, timestamp, uuid, type PgSchema } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import type { AuditService } from '../audit/audit.service.js';
import type { Actor } from '../auth/principal.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import { decodeEnvelope } from '@pakawaaz/envelope';
import { KeyError } from './key-backend.js';
import type { KeySet } from './key.service.js';

export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});

/**
 * The data-key table a domain owns in its own schema: data-encryption keys (AES-256) stored only wrapped by
 * the domain's key-encryption key set. Rotating the KEK re-wraps these rows; data sealed with the DEKs stays.
 */
export function dataKeysTable(schema: PgSchema) {
  return schema.table('data_keys', {
    id: uuid('id').primaryKey(),
    /** The DEK sealed under the KEK version named by kek_id (envelope; release 0.1: iv ‖ ciphertext ‖ tag). */
    wrappedKey: bytea('wrapped_key').notNull(),
    kekId: text('kek_id').notNull(),
    purpose: text('purpose').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    rewrappedAt: timestamp('rewrapped_at', { withTimezone: true, mode: 'date' }),
  });
}
export type DataKeysTable = ReturnType<typeof dataKeysTable>;

export type DataKeyOptions = {
  database: DatabaseHandle;
  table: DataKeysTable;
  kek: KeySet;
  /** PostgreSQL advisory-lock key serialising this KEK's rotations with data-key creation across nodes. */
  lockKey: number;
  audit: AuditService;
  /** Audit action of a rotation, e.g. `core-network.kek.rotated`. */
  rotatedAction: string;
  logger: Logger;
};

/** Context (AAD) a DEK is wrapped in: its id. Release 0.1's AAD string is kept for its rows. */
const dekContext = (id: string) => `dek:${id}`;
const legacyDekAad = (id: string, kekId: string) => `pakawaaz:dek:${id}:${kekId}`;

/**
 * Envelope encryption with data keys: hands out DEKs (plaintext to the caller, e.g. a worker thread sealing a
 * batch), unwraps them on demand (cached in memory, never logged) and re-wraps them all when the KEK rotates.
 *
 * Across nodes: `create` takes the rotation lock shared and wraps under the KEK version active *as stored*; a
 * rotation takes it exclusively and runs (1) add a KEK version, (2) re-wrap every DEK in one transaction,
 * (3) drop the old version — a crash between steps leaves a key set that still opens every DEK.
 */
export class DataKeyService {
  private readonly cache = new Map<string, Buffer>();

  constructor(private readonly o: DataKeyOptions) {}

  get kek(): KeySet {
    return this.o.kek;
  }

  async create(purpose: string, tx: Db = this.o.database.db): Promise<{ id: string; key: Buffer }> {
    if (this.o.database.mode === 'postgresql')
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${this.o.lockKey})`);
    const id = randomUUID();
    const key = randomBytes(32);
    const wrappedKey = await this.o.kek.seal(key, dekContext(id), { fresh: true });
    const kekId = decodeEnvelope(wrappedKey)!.keyVersion;
    await tx.insert(this.o.table).values({ id, wrappedKey, kekId, purpose });
    this.cache.set(id, key);
    return { id, key };
  }

  async get(id: string, tx: Db = this.o.database.db): Promise<Buffer> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const [row] = await tx.select().from(this.o.table).where(eq(this.o.table.id, id)).limit(1);
    if (!row) throw new KeyError('key_missing', `data key ${id} not found`);
    const key = await this.unwrap(row);
    this.cache.set(id, key);
    return key;
  }

  /** The wrapped form tells the format: an envelope naming the row's KEK version, or release 0.1's bytes. */
  private unwrap(row: { id: string; wrappedKey: Buffer; kekId: string }): Promise<Buffer> {
    return decodeEnvelope(row.wrappedKey)?.keyVersion === row.kekId
      ? this.o.kek.open(row.wrappedKey, dekContext(row.id))
      : this.o.kek.openLegacy(row.kekId, row.wrappedKey, legacyDekAad(row.id, row.kekId));
  }

  async rotate(actor: Actor, requestId: string | null): Promise<{ kekId: string; rewrapped: number }> {
    const { database, table, kek } = this.o;
    return database.withExclusiveLock(this.o.lockKey, async () => {
      // Another node may have rotated since this one read the key set: start from what is stored.
      const before = await kek.state(true);
      const next = await kek.addVersion();
      const rewrapped = await database.db.transaction(async (tx) => {
        const rows = await tx.select().from(table).for('update');
        for (const row of rows) {
          const key = await this.unwrap(row);
          const wrappedKey = await kek.seal(key, dekContext(row.id));
          await tx
            .update(table)
            .set({ wrappedKey, kekId: next.active, rewrappedAt: sql`now()` })
            .where(eq(table.id, row.id));
        }
        await this.o.audit.record(
          {
            actor,
            action: this.o.rotatedAction,
            target: `kek:${next.active}`,
            details: { from: before.active, dataKeys: rows.length },
            requestId,
          },
          tx,
        );
        return rows.length;
      });
      // Drop the old version only when no data key is still wrapped under it (belt and braces over the locks).
      const [stale] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(table)
        .where(ne(table.kekId, next.active));
      if ((stale?.n ?? 0) === 0) await kek.dropInactive();
      else
        this.o.logger.warn(
          { remaining: stale?.n },
          'KEK rotation kept the previous KEK: data keys still use it; rotate again',
        );
      return { kekId: next.active, rewrapped };
    });
  }
}

/** Whether any data key exists: then a missing KEK must stop start-up (KeySetSpec.inUse). */
export async function hasDataKeys(db: Db, table: DataKeysTable): Promise<boolean> {
  const rows = await db.select({ id: table.id }).from(table).limit(1);
  return rows.length > 0;
}
