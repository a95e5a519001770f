import { Controller, Get, Header, Param, Post, Put, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  Public,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
  type Role,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { HARDENED_OS_ERROR_STATUS } from '../hardened-os.errors.js';
import {
  MetadataNameParam,
  TufCompromised,
  TufImported,
  TufKeyParam,
  TufMetadataBody,
  TufOnlineKeys,
  TufStatus,
  TufTargetsExport,
} from './tuf.dto.js';
import { OtaFilesService } from './ota-files.service.js';
import { TufRepositoryService } from './tuf-repository.service.js';

const READERS: Role[] = ['os-admin', 'viewer', 'security-officer'];

/**
 * The TUF repository handsets update from. Public on purpose: integrity comes from the signatures a TUF
 * client checks against the root it ships with, not from who may read; a token would only stop updates.
 */
@ApiTags('hardened-os')
@Public()
@ErrorCodes(HARDENED_OS_ERROR_STATUS, 'tuf_metadata_not_found')
@Controller('ota')
export class OtaRepositoryController {
  constructor(private readonly tuf: OtaFilesService) {}

  @Get('metadata/:file')
  @Header('content-type', 'application/json')
  // Caches must not hold timestamp.json past its refresh; versioned files never change, but stay small.
  @Header('cache-control', 'no-cache')
  @ApiProduces('application/json')
  @ApiResponse({ status: 200, description: 'TUF metadata: N.root.json, timestamp.json, N.snapshot.json, …' })
  metadata(@Param('file', new ZodValidationPipe(MetadataNameParam)) file: string): Promise<Buffer> {
    return this.tuf.metadataFile(file);
  }

  @Get('targets/:model/:version/:file')
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'An OTA payload by its consistent-snapshot name <sha256>.<file>' })
  async target(
    @Param('model') model: string,
    @Param('version') version: string,
    @Param('file') file: string,
  ): Promise<StreamableFile> {
    const found = await this.tuf.targetFile(model, version, file);
    // autoClose: the stream closes the handle when it ends or the client goes away.
    return new StreamableFile(found.handle.createReadStream({ autoClose: true }), {
      type: 'application/octet-stream',
      length: found.size,
    });
  }
}

/** Signing-room imports and the repository's state (national: every institution's handsets use it). */
@ApiTags('hardened-os')
@ApiBearerAuth('bearer')
@RouteScope('national')
@ErrorCodes(HARDENED_OS_ERROR_STATUS, 'tuf_metadata_invalid')
@Controller('api/v1/os/tuf')
export class TufAdminController {
  constructor(private readonly tuf: TufRepositoryService) {}

  @Get('status')
  @Roles(...READERS)
  @ZodResponse(200, TufStatus)
  status(@CurrentPrincipal() by: Principal) {
    return this.tuf.status(by);
  }

  @Get('online-keys')
  @Roles(...READERS)
  @ZodResponse(200, TufOnlineKeys, "The server's timestamp and snapshot public keys, for the root ceremony")
  onlineKeys(@CurrentPrincipal() by: Principal) {
    return this.tuf.onlineKeys(by);
  }

  @Get('targets-export')
  @Roles('os-admin')
  @ZodResponse(
    200,
    TufTargetsExport,
    'Every stored payload as a TUF target, for `pakawaaz os tuf sign-targets`',
  )
  exportTargets(@CurrentPrincipal() by: Principal) {
    return this.tuf.exportTargets(by);
  }

  @Put('root')
  @Roles('os-admin')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'tuf_metadata_rejected', 'tuf_key_refused', 'tuf_demo_root_refused')
  @ZodResponse(200, TufImported, 'Version 1, or N+1 signed by the old and the new root threshold')
  importRoot(
    @ZodBody(TufMetadataBody) body: z.infer<typeof TufMetadataBody>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tuf.importRoot(body, by, requestId);
  }

  @Put('targets')
  @Roles('os-admin')
  @ErrorCodes(
    HARDENED_OS_ERROR_STATUS,
    'tuf_metadata_rejected',
    'tuf_root_missing',
    'tuf_target_unknown',
    'tuf_key_refused',
  )
  @ZodResponse(200, TufImported, 'Published with a new snapshot and timestamp signed by the online keys')
  importTargets(
    @ZodBody(TufMetadataBody) body: z.infer<typeof TufMetadataBody>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tuf.importTargets(body, by, requestId);
  }

  @Post('keys/:keyid/compromised')
  @Roles('os-admin')
  @ZodResponse(201, TufCompromised, 'The key never signs again and its signatures stop counting')
  compromised(
    @Param('keyid', new ZodValidationPipe(TufKeyParam)) keyid: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tuf.markCompromised(keyid, by, requestId);
  }
}
