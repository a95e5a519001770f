import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  LOGGER,
  sql,
  type Actor,
  type DatabaseHandle,
  type Db,
  type Logger,
} from '@pakawaaz/platform';
import { eq, ne } from 'drizzle-orm';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from '../core-network.config.js';
import { aad, open, seal } from './envelope.js';
import { dataKeys } from './data-keys.schema.js';
import {
  addActiveKek,
  createKeyring,
  dropInactiveKeks,
  KeyringError,
  readKeyring,
  type Keyring,
} from './keyring.js';

/** Lock key serialising KEK rotations across nodes. */
const ROTATION_LOCK = 0x706b7a6b;

/**
 * Envelope encryption for SIM secrets: hands out data keys (DEKs), unwraps them on demand (cached in memory,
 * never logged) and re-wraps them all when the KEK rotates.
 */
@Injectable()
export class DataKeyService implements OnModuleInit {
  private ring: Keyring | undefined;
  private readonly cache = new Map<string, Buffer>();

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(CORE_NETWORK_CONFIG) private readonly config: CoreNetworkConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly audit: AuditService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.ring = (await readKeyring(this.config.kekFile)) ?? (await this.firstKeyring());
  }

  /** A missing KEK file is only created while no wrapped data key exists: otherwise it was lost, and must be restored. */
  private async firstKeyring(): Promise<Keyring> {
    const rows = await this.database.db.select({ id: dataKeys.id }).from(dataKeys).limit(1);
    if (rows.length > 0) {
      throw new KeyringError(
        `The KEK file ${this.config.kekFile} is missing, but the database holds SIM secrets wrapped under it. ` +
          'Restore the file from your key backup (or set PAKAWAAZ_KEK_FILE to it); a new KEK cannot decrypt them.',
      );
    }
    this.logger.info({ file: this.config.kekFile }, 'created the key-encryption key file for SIM secrets');
    return createKeyring(this.config.kekFile);
  }

  private keyring(): Keyring {
    if (!this.ring) throw new Error('DataKeyService used before module init');
    return this.ring;
  }

  get macKey(): Buffer {
    return this.keyring().macKey;
  }

  /**
   * Creates and stores a new wrapped DEK; returns its id and the plaintext key for immediate use. Runs under a
   * shared rotation lock (PostgreSQL) and wraps under the KEK active on disk, so a rotation on any node can
   * neither miss this key nor drop the KEK it is wrapped under.
   */
  async create(purpose: string, tx: Db = this.database.db): Promise<{ id: string; key: Buffer }> {
    if (this.database.mode === 'postgresql')
      await tx.execute(sql`select pg_advisory_xact_lock_shared(${ROTATION_LOCK})`);
    const ring = (this.ring = (await readKeyring(this.config.kekFile)) ?? this.keyring());
    const id = randomUUID();
    const key = randomBytes(32);
    const wrappedKey = seal(ring.key(ring.activeId)!, key, aad.dataKey(id, ring.activeId));
    await tx.insert(dataKeys).values({ id, wrappedKey, kekId: ring.activeId, purpose });
    this.cache.set(id, key);
    return { id, key };
  }

  async get(id: string, tx: Db = this.database.db): Promise<Buffer> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const [row] = await tx.select().from(dataKeys).where(eq(dataKeys.id, id)).limit(1);
    if (!row) throw new Error(`data key ${id} not found`);
    let kek = this.keyring().key(row.kekId);
    if (!kek) {
      // Another node rotated the KEK: pick up the new file once.
      this.ring = (await readKeyring(this.config.kekFile)) ?? this.ring;
      kek = this.keyring().key(row.kekId);
      if (!kek)
        throw new KeyringError(
          `data key ${id} is wrapped under ${row.kekId}, which is not in ${this.config.kekFile}`,
        );
    }
    const key = open(kek, row.wrappedKey, aad.dataKey(id, row.kekId));
    this.cache.set(id, key);
    return key;
  }

  /**
   * Rotates the KEK: (1) add a new active KEK to the file, (2) re-wrap every DEK in one transaction,
   * (3) drop the old KEK. A crash between steps leaves a file that still opens every DEK.
   */
  async rotate(actor: Actor, requestId: string | null): Promise<{ kekId: string; rewrapped: number }> {
    return this.database.withExclusiveLock(ROTATION_LOCK, async () => {
      // Another node may have rotated since this one read the file: start from what is on disk.
      const before = (await readKeyring(this.config.kekFile)) ?? this.keyring();
      const next = await addActiveKek(before);
      this.ring = next;
      const rewrapped = await this.database.db.transaction(async (tx) => {
        const rows = await tx.select().from(dataKeys).for('update');
        for (const row of rows) {
          const key = open(next.key(row.kekId)!, row.wrappedKey, aad.dataKey(row.id, row.kekId));
          const wrappedKey = seal(next.key(next.activeId)!, key, aad.dataKey(row.id, next.activeId));
          await tx
            .update(dataKeys)
            .set({ wrappedKey, kekId: next.activeId, rewrappedAt: sql`now()` })
            .where(eq(dataKeys.id, row.id));
        }
        await this.audit.record(
          {
            actor,
            action: 'core-network.kek.rotated',
            target: `kek:${next.activeId}`,
            details: { from: before.activeId, dataKeys: rows.length },
            requestId,
          },
          tx,
        );
        return rows.length;
      });
      // Drop the old KEK only when no data key is still wrapped under it (belt and braces over the locks).
      const [stale] = await this.database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(dataKeys)
        .where(ne(dataKeys.kekId, next.activeId));
      if ((stale?.n ?? 0) === 0) this.ring = await dropInactiveKeks(next);
      else
        this.logger.warn(
          { remaining: stale?.n },
          'KEK rotation kept the previous KEK: data keys still use it; rotate again',
        );
      return { kekId: next.activeId, rewrapped };
    });
  }
}
