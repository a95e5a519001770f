import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { bootKeys, deviceModels, otaPayloads, patchFloors, releases } from './registry.schema.js';

export type DeviceModelRow = typeof deviceModels.$inferSelect;
export type BootKeyRow = typeof bootKeys.$inferSelect;
export type ReleaseRow = typeof releases.$inferSelect;
export type PayloadRow = typeof otaPayloads.$inferSelect;
export type PatchFloorRow = typeof patchFloors.$inferSelect;

/** Postgres unique violation: the row (model, key, release, payload) exists already. */
export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code === '23505' ||
  (err as { cause?: { code?: unknown } } | null)?.cause?.code === '23505';

@Injectable()
export class RegistryRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  private get db(): Db {
    return this.database.db;
  }

  models(): Promise<DeviceModelRow[]> {
    return this.db.select().from(deviceModels).orderBy(asc(deviceModels.codename));
  }

  async model(codename: string): Promise<DeviceModelRow | undefined> {
    const rows = await this.db.select().from(deviceModels).where(eq(deviceModels.codename, codename));
    return rows[0];
  }

  async insertModel(row: typeof deviceModels.$inferInsert, tx: Db = this.db): Promise<DeviceModelRow> {
    const [inserted] = await tx.insert(deviceModels).values(row).returning();
    return inserted!;
  }

  keys(model?: string): Promise<BootKeyRow[]> {
    return this.db
      .select()
      .from(bootKeys)
      .where(model ? eq(bootKeys.model, model) : undefined)
      .orderBy(asc(bootKeys.model), asc(bootKeys.createdAt));
  }

  async key(model: string, digest: string, tx: Db = this.db): Promise<BootKeyRow | undefined> {
    const rows = await tx
      .select()
      .from(bootKeys)
      .where(and(eq(bootKeys.model, model), eq(bootKeys.digest, digest)))
      .for('update');
    return rows[0];
  }

  async insertKey(row: typeof bootKeys.$inferInsert, tx: Db = this.db): Promise<BootKeyRow> {
    const [inserted] = await tx.insert(bootKeys).values(row).returning();
    return inserted!;
  }

  async setKeyStatus(
    key: Pick<BootKeyRow, 'model' | 'digest' | 'status'>,
    at: Date,
    tx: Db,
  ): Promise<BootKeyRow> {
    const [row] = await tx
      .update(bootKeys)
      .set({ status: key.status, statusChangedAt: at })
      .where(and(eq(bootKeys.model, key.model), eq(bootKeys.digest, key.digest)))
      .returning();
    return row!;
  }

  releases(filter: {
    model?: string | undefined;
    channel?: ReleaseRow['channel'] | undefined;
  }): Promise<ReleaseRow[]> {
    return this.db
      .select()
      .from(releases)
      .where(
        and(
          filter.model ? eq(releases.model, filter.model) : undefined,
          filter.channel ? eq(releases.channel, filter.channel) : undefined,
        ),
      )
      .orderBy(desc(releases.securityPatchLevel), desc(releases.createdAt))
      .limit(500);
  }

  /** Every release (a few per model and month): the rollouts snapshot looks builds up in it. */
  allReleases(): Promise<ReleaseRow[]> {
    return this.db.select().from(releases);
  }

  async release(id: string): Promise<ReleaseRow | undefined> {
    const rows = await this.db.select().from(releases).where(eq(releases.id, id));
    return rows[0];
  }

  async insertRelease(row: typeof releases.$inferInsert, tx: Db = this.db): Promise<ReleaseRow> {
    const [inserted] = await tx.insert(releases).values(row).returning();
    return inserted!;
  }

  payloads(releaseIds: readonly string[]): Promise<PayloadRow[]> {
    if (releaseIds.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(otaPayloads)
      .where(inArray(otaPayloads.releaseId, [...releaseIds]))
      .orderBy(asc(otaPayloads.uploadedAt));
  }

  /** Every payload with its release: what the targets export lists (bounded: a registry holds hundreds). */
  publishable(): Promise<{ release: ReleaseRow; payload: PayloadRow }[]> {
    return this.db
      .select({ release: releases, payload: otaPayloads })
      .from(otaPayloads)
      .innerJoin(releases, eq(releases.id, otaPayloads.releaseId))
      .orderBy(asc(releases.model), asc(releases.createdAt))
      .limit(20_000);
  }

  /** Whether any payload on record has these bytes (payload files are shared by SHA-256). */
  async payloadWithSha(sha256: string, tx: Db = this.db): Promise<boolean> {
    const rows = await tx
      .select({ sha256: otaPayloads.sha256 })
      .from(otaPayloads)
      .where(eq(otaPayloads.sha256, sha256))
      .limit(1);
    return rows.length > 0;
  }

  async insertPayload(row: typeof otaPayloads.$inferInsert, tx: Db = this.db): Promise<PayloadRow> {
    const [inserted] = await tx.insert(otaPayloads).values(row).returning();
    return inserted!;
  }

  floors(): Promise<PatchFloorRow[]> {
    return this.db.select().from(patchFloors).orderBy(asc(patchFloors.scope));
  }

  async upsertFloor(row: typeof patchFloors.$inferInsert, tx: Db = this.db): Promise<PatchFloorRow> {
    const [saved] = await tx
      .insert(patchFloors)
      .values(row)
      .onConflictDoUpdate({
        target: patchFloors.scope,
        set: { minimumPatchLevel: row.minimumPatchLevel, updatedBy: row.updatedBy, updatedAt: row.updatedAt },
      })
      .returning();
    return saved!;
  }

  async deleteFloor(scope: string, tx: Db = this.db): Promise<boolean> {
    const rows = await tx.delete(patchFloors).where(eq(patchFloors.scope, scope)).returning();
    return rows.length > 0;
  }
}
