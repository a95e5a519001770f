import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { subscribers } from '../../subscribers/subscribers.schema.js';
import { open5gsExportedImsis, open5gsExports } from './open5gs-exports.schema.js';

export type ExportRunRow = typeof open5gsExports.$inferSelect;

/** Export runs and the IMSIs they carried (export-only mode). */
@Injectable()
export class Open5gsExportsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async everExported(): Promise<string[]> {
    return (await this.db.select({ imsi: open5gsExportedImsis.imsi }).from(open5gsExportedImsis)).map(
      (r) => r.imsi,
    );
  }

  async last(): Promise<ExportRunRow | undefined> {
    const [row] = await this.db
      .select()
      .from(open5gsExports)
      .orderBy(desc(open5gsExports.exportedAt))
      .limit(1);
    return row;
  }

  /**
   * Records one export: the run, what each IMSI became (document or deletion), and the subscriber versions it
   * carried. A subscriber changed while the export was built keeps a higher version and stays pending.
   */
  async record(
    tx: Db,
    run: Omit<typeof open5gsExports.$inferInsert, 'id'>,
    carried: { documents: readonly string[]; deletions: readonly string[]; versions: Map<string, number> },
  ): Promise<ExportRunRow> {
    const [row] = await tx.insert(open5gsExports).values(run).returning();
    const exportRow = row!;
    const entries = [
      ...carried.documents.map((imsi) => ({ imsi, present: true, lastExportId: exportRow.id })),
      ...carried.deletions.map((imsi) => ({ imsi, present: false, lastExportId: exportRow.id })),
    ];
    for (let i = 0; i < entries.length; i += 1000)
      await tx
        .insert(open5gsExportedImsis)
        .values(entries.slice(i, i + 1000))
        .onConflictDoUpdate({
          target: open5gsExportedImsis.imsi,
          set: { present: sql`excluded.present`, lastExportId: sql`excluded.last_export_id` },
        });
    const versions = [...carried.versions].map(([imsi, version]) => ({ imsi, version }));
    for (let i = 0; i < versions.length; i += 5000)
      await tx.execute(sql`
        update ${subscribers} set exported_version = v.version
        from jsonb_to_recordset(${JSON.stringify(versions.slice(i, i + 5000))}::jsonb) as v(imsi text, version int)
        where ${subscribers.imsi} = v.imsi and ${subscribers.exportedVersion} < v.version`);
    return exportRow;
  }

  /**
   * What the next export would change, as far as versions tell: active subscribers changed since the last
   * export (or never exported), barred ones barred since, and unassigned ones whose document the last export
   * still carried.
   */
  async pending(): Promise<{ updates: number; removals: number }> {
    const changed = gt(subscribers.version, subscribers.exportedVersion);
    const [counts] = await this.db
      .select({
        updates: sql<number>`count(*) filter (where ${subscribers.status} = 'active')::int`,
        removals: sql<number>`count(*) filter (where ${subscribers.status} = 'barred')::int`,
      })
      .from(subscribers)
      .where(changed);
    const [gone] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(open5gsExportedImsis)
      .leftJoin(subscribers, eq(subscribers.imsi, open5gsExportedImsis.imsi))
      .where(and(eq(open5gsExportedImsis.present, true), isNull(subscribers.imsi)));
    return { updates: counts?.updates ?? 0, removals: (counts?.removals ?? 0) + (gone?.n ?? 0) };
  }
}
