import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import { and, count, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { devices } from './devices.schema.js';

export type DeviceRow = typeof devices.$inferSelect;
export type DeviceFilter = {
  scope: SQL | undefined;
  /** Free text: IMEI, serial or model contain it, or the device belongs to one of `userIds`. */
  q?: { text: string; userIds: string[] } | undefined;
  institutionId?: string | undefined;
  compliance?: DeviceRow['compliance'] | undefined;
  model?: string | undefined;
  state?: DeviceRow['state'] | undefined;
  /** 'YYYY-MM', as PATCH_LEVEL gives it. */
  patchLevel?: string | undefined;
};

/**
 * A handset's patch level: the month it last reported at check-in, else the one its attestation carried
 * (YYYYMM → 'YYYY-MM'). `patchLevelOf` is the same rule for a row already read.
 */
export const PATCH_LEVEL = sql<string | null>`coalesce(
  substr(${devices.lastReport} ->> 'securityPatch', 1, 7),
  nullif(substr(${devices.attestation} ->> 'osPatchLevel', 1, 4) || '-' || substr(${devices.attestation} ->> 'osPatchLevel', 5, 2), '-')
)`;

export function patchLevelOf(d: Pick<DeviceRow, 'lastReport' | 'attestation'>): string | null {
  const reported = d.lastReport?.['securityPatch'];
  if (typeof reported === 'string' && reported.length >= 7) return reported.slice(0, 7);
  const attested = d.attestation['osPatchLevel'];
  if (typeof attested !== 'number' && typeof attested !== 'string') return null;
  const digits = String(attested);
  return digits.length >= 6 ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}` : null;
}

type Count<K> = { key: K; n: number };
export type FleetCounts = {
  byCompliance: Count<DeviceRow['compliance']>[];
  byState: Count<DeviceRow['state']>[];
  byPatch: Count<string | null>[];
  byModel: Count<string | null>[];
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

@Injectable()
export class DeviceAdminRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.database.db.transaction(fn);
  }

  private where(f: DeviceFilter): SQL | undefined {
    const text = f.q && `%${escapeLike(f.q.text)}%`;
    return and(
      f.scope,
      f.institutionId ? eq(devices.institutionId, f.institutionId) : undefined,
      f.compliance ? eq(devices.compliance, f.compliance) : undefined,
      f.model ? eq(devices.model, f.model) : undefined,
      f.state ? eq(devices.state, f.state) : undefined,
      f.patchLevel ? sql`${PATCH_LEVEL} = ${f.patchLevel}` : undefined,
      f.q && text
        ? or(
            ilike(devices.imei, text),
            ilike(devices.serial, text),
            ilike(devices.model, text),
            f.q.userIds.length ? inArray(devices.userId, f.q.userIds) : undefined,
          )
        : undefined,
    );
  }

  async page(f: DeviceFilter, limit: number, offset: number): Promise<{ rows: DeviceRow[]; total: number }> {
    const where = this.where(f);
    const [rows, [total]] = await Promise.all([
      this.database.db
        .select()
        .from(devices)
        .where(where)
        .orderBy(desc(devices.enrolledAt))
        .limit(limit)
        .offset(offset),
      this.database.db.select({ n: count() }).from(devices).where(where),
    ]);
    return { rows, total: total?.n ?? 0 };
  }

  /** Counts for the fleet overview, in the caller's scope (patch levels as PATCH_LEVEL gives them). */
  async summary(scope: SQL | undefined): Promise<FleetCounts> {
    const patch = PATCH_LEVEL;
    const db = this.database.db;
    const [byCompliance, byState, byPatch, byModel] = await Promise.all([
      db
        .select({ key: devices.compliance, n: count() })
        .from(devices)
        .where(scope)
        .groupBy(devices.compliance),
      db.select({ key: devices.state, n: count() }).from(devices).where(scope).groupBy(devices.state),
      db.select({ key: patch, n: count() }).from(devices).where(scope).groupBy(patch),
      db.select({ key: devices.model, n: count() }).from(devices).where(scope).groupBy(devices.model),
    ]);
    return { byCompliance, byState, byPatch, byModel };
  }

  async byId(id: string): Promise<DeviceRow | null> {
    const [r] = await this.database.db.select().from(devices).where(eq(devices.id, id));
    return r ?? null;
  }

  /** Live (active) desktop devices, all or of one institution or device group. */
  liveDesktops(where: { institutionId?: string; groupId?: string }): Promise<DeviceRow[]> {
    return this.database.db
      .select()
      .from(devices)
      .where(
        and(
          eq(devices.kind, 'desktop'),
          eq(devices.state, 'active'),
          where.institutionId ? eq(devices.institutionId, where.institutionId) : undefined,
          where.groupId ? eq(devices.groupId, where.groupId) : undefined,
        ),
      );
  }

  async setState(id: string, state: DeviceRow['state'], tx: Db): Promise<void> {
    await tx.update(devices).set({ state, updatedAt: new Date() }).where(eq(devices.id, id));
  }
}
