import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodResponse,
  isoDateTime,
  named,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { Open5gsExportService } from './open5gs-export.service.js';

const ExportRunFields = {
  id: z.string(),
  exportedAt: isoDateTime(),
  /** Who ran it; `name` is the operator's name at the time. */
  by: z.object({ type: z.string(), id: z.string(), name: z.string() }),
  documents: z.number().int(),
  deletions: z.number().int(),
};
export const Open5gsExportRun = named('Open5gsExportRun', z.object(ExportRunFields));
export const Open5gsExportStatus = named(
  'Open5gsExportStatus',
  z.object({
    mode: z.enum(['mongodb', 'export-only']),
    last: Open5gsExportRun.nullable(),
    /** Export-only mode: subscribers changed since the last export (updates) and ones to delete (removals). */
    pending: z.object({ updates: z.number().int(), removals: z.number().int() }),
  }),
);
export const Open5gsExport = named(
  'Open5gsExport',
  z.object({
    ...ExportRunFields,
    /** subscribers.json: one canonical Extended JSON document per line, K/OPc in clear. */
    subscribers: z.string(),
    /** deletions.json: `{"imsi":…}` per line, for `mongoimport --mode delete --upsertFields imsi`. */
    deletionsFile: z.string(),
    /** apply.sh: runs both mongoimport loads with the right flags. */
    applyScript: z.string(),
  }),
);

@ApiTags('open5gs')
@ApiBearerAuth('bearer')
// Every subscriber of every institution, and their K/OPc in the export: national.
@RouteScope('national')
@Controller('api/v1/open5gs/export')
export class Open5gsExportController {
  constructor(private readonly exports: Open5gsExportService) {}

  @Get()
  @Roles('viewer', 'network-admin', 'sim-operator', 'security-officer')
  @ZodResponse(200, Open5gsExportStatus)
  status(@CurrentPrincipal() p: Principal) {
    return this.exports.status(p);
  }

  /** Documents to upsert, IMSIs to delete and the script loading both (K/OPc in clear): security-officer only, audited. */
  @Post()
  @Roles('security-officer')
  @HttpCode(200)
  @Header('cache-control', 'no-store')
  @ZodResponse(200, Open5gsExport)
  run(@CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return this.exports.export(p, requestId);
  }
}
