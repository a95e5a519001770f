import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
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
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';
import { DirectoryLinksService } from './directory-links.service.js';
import { DirectorySyncService } from './directory-sync.service.js';

/** Directory syncs from LDAP / Active Directory: national (a directory spans institutions). */
@ApiTags('users')
@ApiBearerAuth('bearer')
@RouteScope('national')
@Controller('api/v1/directory-syncs')
export class DirectorySyncController {
  constructor(
    private readonly syncs: DirectorySyncService,
    private readonly links: DirectoryLinksService,
  ) {}

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

  /**
   * Runs the sync now (or a dry run): an import job — poll GET /api/v1/user-imports/{id}. Refused (409) while a
   * run of the sync is queued or running: one run of a sync at a time; the message names its job.
   */
  @Post(':id/runs')
  @Roles('security-officer')
  @ErrorCodes(IDENTITY_ERROR_STATUS, 'directory_sync_not_found', 'directory_sync_running')
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

  /**
   * Links an existing official to the sync (a sync never adopts one by username): the official must be in the
   * sync's institution, belong to no other sync, and have exactly one entry under its base and filter.
   */
  @Post(':id/links')
  @Roles('security-officer')
  @ErrorCodes(
    IDENTITY_ERROR_STATUS,
    'directory_sync_not_found',
    'user_not_found',
    'directory_sync_invalid',
    'directory_link_exists',
    'directory_unreachable',
  )
  @ZodResponse(201, dto.DirectoryLink)
  async link(
    @Param('id') id: string,
    @ZodBody(dto.CreateDirectoryLink) b: z.infer<typeof dto.CreateDirectoryLink>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.links.link(id, b.user, { principal: p, requestId });
  }
}
