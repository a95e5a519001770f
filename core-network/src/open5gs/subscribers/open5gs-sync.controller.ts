import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ErrorCodes, Roles, RouteScope, ZodResponse, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { CORE_NETWORK_ERROR_STATUS, coreNetworkError } from '../../core-network.errors.js';
import { Open5gsSyncService } from './open5gs-sync.service.js';

export const Open5gsSyncReport = named(
  'Open5gsSyncReport',
  z.object({
    at: z.string(),
    ok: z.boolean(),
    error: z.string().nullable(),
    upserted: z.number().int(),
    deleted: z.number().int(),
    unchanged: z.number().int(),
    drift: z.array(
      z.object({ imsi: z.string(), kind: z.enum(['modified', 'deleted']), fields: z.array(z.string()) }),
    ),
    unmanaged: z.array(z.string()),
  }),
);
export const Open5gsSyncStatus = named(
  'Open5gsSyncStatus',
  z.object({ mode: z.enum(['mongodb', 'export-only']), last: Open5gsSyncReport.nullable() }),
);

@ApiTags('open5gs')
@ApiBearerAuth('bearer')
// Every subscriber of every institution: national.
@RouteScope('national')
@Controller('api/v1/open5gs')
export class Open5gsSyncController {
  constructor(private readonly sync: Open5gsSyncService) {}

  @Get('sync')
  @Roles('viewer', 'network-admin', 'sim-operator')
  @ZodResponse(200, Open5gsSyncStatus)
  status() {
    return { mode: this.sync.mode, last: this.sync.lastReport ?? null };
  }

  @Post('sync')
  @ErrorCodes(CORE_NETWORK_ERROR_STATUS, 'open5gs_not_configured')
  @Roles('network-admin')
  @HttpCode(200)
  @ZodResponse(200, Open5gsSyncReport)
  run() {
    if (this.sync.mode !== 'mongodb')
      throw coreNetworkError(
        'open5gs_not_configured',
        'Set OPEN5GS_MONGODB_URL to sync live, or use the export.',
      );
    return this.sync.sync();
  }
}
