import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { importJobView, UserImportJob } from '../onboarding/onboarding.dto.js';
import * as dto from './directory-sync.dto.js';
import { DirectorySyncService } from './directory-sync.service.js';

/** Directory syncs from LDAP / Active Directory: national (a directory spans institutions). */
@ApiTags('users')
@ApiBearerAuth('bearer')
@RouteScope('national')
@Controller('api/v1/directory-syncs')
export class DirectorySyncController {
  constructor(private readonly syncs: DirectorySyncService) {}

  @Post()
  @Roles('security-officer')
  @ZodResponse(201, dto.DirectorySync)
  async create(
    @ZodBody(dto.CreateDirectorySync) b: z.infer<typeof dto.CreateDirectorySync>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return dto.syncView(await this.syncs.create(b, { principal: p, requestId }));
  }

  @Get()
  @Roles('security-officer')
  @ZodResponse(200, dto.DirectorySyncList)
  async list(@CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return { syncs: (await this.syncs.list({ principal: p, requestId })).map(dto.syncView) };
  }

  /** Runs the sync now (or a dry run): an import job — poll GET /api/v1/user-imports/{id}. */
  @Post(':id/runs')
  @Roles('security-officer')
  @HttpCode(202)
  @ZodResponse(202, UserImportJob, 'Accepted: the run goes on in the background as an import job')
  async run(
    @Param('id') id: string,
    @ZodQuery(dto.RunQuery) q: z.infer<typeof dto.RunQuery>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return importJobView(await this.syncs.run(id, q.dryRun, { principal: p, requestId }));
  }
}
