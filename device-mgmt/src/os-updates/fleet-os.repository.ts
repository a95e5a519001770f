import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { and, count, desc, inArray, sql, type SQL } from 'drizzle-orm';
import { PATCH_LEVEL } from '../devices/device-admin.repository.js';
import { devices } from '../devices/devices.schema.js';

/** Most OS builds the view lists (the most common first); the fleet runs a handful at a time. */
export const MAX_BUILDS = 100;

const OS_BUILD = sql<string | null>`${devices.lastReport} ->> 'osBuild'`;

export type FleetOsCounts = {
  byPatch: { key: string | null; n: number }[];
  byBuild: { key: string | null; n: number }[];
};

@Injectable()
export class FleetOsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  /** Live handsets (active, lost) in `scope` by patch month and by the OS build they last reported. */
  async counts(scope: SQL | undefined): Promise<FleetOsCounts> {
    const where = and(scope, inArray(devices.state, ['active', 'lost']));
    const db = this.database.db;
    const [byPatch, byBuild] = await Promise.all([
      db.select({ key: PATCH_LEVEL, n: count() }).from(devices).where(where).groupBy(PATCH_LEVEL),
      db
        .select({ key: OS_BUILD, n: count() })
        .from(devices)
        .where(where)
        .groupBy(OS_BUILD)
        .orderBy(desc(count()), OS_BUILD)
        .limit(MAX_BUILDS),
    ]);
    return { byPatch, byBuild };
  }
}
