import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db, isUuid } from '@pakawaaz/platform';
import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { InstitutionNode } from './institution-scopes.js';
import { institutions, institutionVisibility } from './institutions.schema.js';

export type InstitutionRow = typeof institutions.$inferSelect;
export type NewInstitution = typeof institutions.$inferInsert;

@Injectable()
export class InstitutionsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db(): Db {
    return this.database.db;
  }

  async all(tx: Db = this.db): Promise<InstitutionRow[]> {
    return tx.select().from(institutions).orderBy(asc(institutions.name));
  }

  /** The hierarchy alone (ids and parents), for the per-node scope cache. */
  tree(): Promise<InstitutionNode[]> {
    return this.db
      .select({
        id: institutions.id,
        parentId: institutions.parentId,
        name: institutions.name,
        rolloutPhase: institutions.rolloutPhase,
      })
      .from(institutions);
  }

  async findById(id: string, tx: Db = this.db): Promise<InstitutionRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await tx.select().from(institutions).where(eq(institutions.id, id)).limit(1);
    return row;
  }

  /** Names of these institutions (unknown ids are absent). */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    const valid = ids.filter((id) => isUuid(id));
    if (!valid.length) return new Map();
    const rows = await this.db
      .select({ id: institutions.id, name: institutions.name })
      .from(institutions)
      .where(inArray(institutions.id, valid));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async findByName(name: string, tx: Db = this.db): Promise<InstitutionRow | undefined> {
    const [row] = await tx.select().from(institutions).where(eq(institutions.name, name)).limit(1);
    return row;
  }

  async insert(row: NewInstitution, tx: Db = this.db): Promise<InstitutionRow> {
    const [inserted] = await tx.insert(institutions).values(row).returning();
    if (!inserted) throw new Error('insert returned no row');
    return inserted;
  }

  async update(
    id: string,
    values: Partial<NewInstitution>,
    tx: Db = this.db,
  ): Promise<InstitutionRow | undefined> {
    const [row] = await tx
      .update(institutions)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(institutions.id, id))
      .returning();
    return row;
  }

  async delete(id: string, tx: Db = this.db): Promise<void> {
    await tx
      .delete(institutionVisibility)
      .where(or(eq(institutionVisibility.institutionId, id), eq(institutionVisibility.visibleId, id)));
    await tx.delete(institutions).where(eq(institutions.id, id));
  }

  async childCount(id: string, tx: Db = this.db): Promise<number> {
    return (await tx.select({ id: institutions.id }).from(institutions).where(eq(institutions.parentId, id)))
      .length;
  }

  async grants(tx: Db = this.db): Promise<{ institutionId: string; visibleId: string }[]> {
    return tx
      .select({
        institutionId: institutionVisibility.institutionId,
        visibleId: institutionVisibility.visibleId,
      })
      .from(institutionVisibility);
  }

  /** Replaces the explicit grants of one institution. */
  async setGrants(id: string, visibleIds: readonly string[], tx: Db): Promise<void> {
    await tx.delete(institutionVisibility).where(eq(institutionVisibility.institutionId, id));
    if (visibleIds.length)
      await tx
        .insert(institutionVisibility)
        .values(visibleIds.map((visibleId) => ({ institutionId: id, visibleId })));
  }

  async existing(ids: readonly string[], tx: Db = this.db): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await tx
      .select({ id: institutions.id })
      .from(institutions)
      .where(and(inArray(institutions.id, [...ids])));
    return rows.map((r) => r.id);
  }
}
