import { Injectable } from '@nestjs/common';
import { requireRole, scopeCondition, type Principal } from '@pakawaaz/platform';
import { devices } from '../devices/devices.schema.js';
import { FleetOsRepository } from './fleet-os.repository.js';

export type FleetOsView = {
  total: number;
  byPatchMonth: { patchMonth: string | null; count: number }[];
  byOsBuild: { osBuild: string | null; count: number }[];
};

/**
 * The fleet's OS: live handsets by security patch month (the one reported at check-in, else the attested OS
 * patch level) and by OS build, in the caller's scope — national operators see every handset, an
 * institution's operators their institution's.
 */
@Injectable()
export class FleetOsService {
  constructor(private readonly repo: FleetOsRepository) {}

  async view(by: Principal): Promise<FleetOsView> {
    requireRole(by, 'device-admin', 'viewer');
    const c = await this.repo.counts(scopeCondition(by, devices.institutionId));
    return {
      total: c.byPatch.reduce((sum, r) => sum + r.n, 0),
      // Newest month first; devices whose patch level is not known last.
      byPatchMonth: c.byPatch
        .map((r) => ({ patchMonth: r.key, count: r.n }))
        .sort((a, b) => (b.patchMonth ?? '').localeCompare(a.patchMonth ?? '')),
      byOsBuild: c.byBuild.map((r) => ({ osBuild: r.key, count: r.n })),
    };
  }
}
