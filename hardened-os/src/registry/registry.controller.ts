import { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
  type Role,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { hardenedOsError, HARDENED_OS_ERROR_STATUS } from '../hardened-os.errors.js';
import { PayloadsService } from '../payloads/payloads.service.js';
import {
  BootKeyInput,
  BootKeyList,
  BootKeyParams,
  BootKeyQuery,
  BootKeyStatusInput,
  BootKeyView,
  DeviceModelInput,
  DeviceModelList,
  DeviceModelView,
  PatchFloorInput,
  PatchFloorList,
  PayloadQuery,
  PayloadView,
  ReleaseIdParam,
  ReleaseInput,
  ReleaseList,
  ReleaseQuery,
  ReleaseView,
} from './registry.dto.js';
import { RegistryService } from './registry.service.js';

/** Who may read the registry (super-admin passes every check). */
const READERS: Role[] = ['os-admin', 'viewer', 'security-officer'];

/** The route of the raw payload upload (the server accepts application/octet-stream there only). */
export const OS_PAYLOAD_ROUTE = '/api/v1/os/releases/:id/payloads';

@ApiTags('hardened-os')
@ApiBearerAuth('bearer')
// Our OS builds and their keys are national: every institution's handsets run them.
@RouteScope('national')
@ErrorCodes(HARDENED_OS_ERROR_STATUS, 'invalid_os_registry_input', 'device_model_not_found')
@Controller('api/v1/os')
export class OsRegistryController {
  constructor(
    private readonly registry: RegistryService,
    private readonly payloads: PayloadsService,
  ) {}

  @Get('models')
  @Roles(...READERS)
  @ZodResponse(200, DeviceModelList)
  models(@CurrentPrincipal() by: Principal) {
    return this.registry.models(by);
  }

  @Post('models')
  @Roles('os-admin')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'device_model_exists')
  @ZodResponse(201, DeviceModelView)
  addModel(
    @ZodBody(DeviceModelInput) body: z.infer<typeof DeviceModelInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.registry.addModel(body, by, requestId);
  }

  @Get('boot-keys')
  @Roles(...READERS)
  @ZodResponse(200, BootKeyList)
  keys(@ZodQuery(BootKeyQuery) q: z.infer<typeof BootKeyQuery>, @CurrentPrincipal() by: Principal) {
    return this.registry.keys(by, q.model);
  }

  @Post('boot-keys')
  @Roles('os-admin')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'boot_key_exists')
  @ZodResponse(201, BootKeyView)
  addKey(
    @ZodBody(BootKeyInput) body: z.output<typeof BootKeyInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.registry.addKey(body, by, requestId);
  }

  @Put('boot-keys/:model/:digest/status')
  @Roles('os-admin')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'boot_key_not_found', 'boot_key_compromised')
  @ZodResponse(
    200,
    BootKeyView,
    'compromised is final: every handset booted with the key is non-compliant at its next check-in',
  )
  setKeyStatus(
    @Param('model', new ZodValidationPipe(BootKeyParams.shape.model)) model: string,
    @Param('digest', new ZodValidationPipe(BootKeyParams.shape.digest)) digest: string,
    @ZodBody(BootKeyStatusInput) body: z.infer<typeof BootKeyStatusInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.registry.setKeyStatus(model, digest, body.status, by, requestId);
  }

  @Get('releases')
  @Roles(...READERS)
  @ZodResponse(200, ReleaseList, 'Newest security patch level first (at most 500)')
  releases(@ZodQuery(ReleaseQuery) q: z.infer<typeof ReleaseQuery>, @CurrentPrincipal() by: Principal) {
    return this.registry.releases(by, q);
  }

  @Post('releases')
  @Roles('os-admin')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'release_exists')
  @ZodResponse(201, ReleaseView)
  addRelease(
    @ZodBody(ReleaseInput) body: z.output<typeof ReleaseInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.registry.addRelease(body, by, requestId);
  }

  @Get('releases/:id')
  @Roles(...READERS)
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'release_not_found')
  @ZodResponse(200, ReleaseView)
  release(@Param('id', new ZodValidationPipe(ReleaseIdParam)) id: string, @CurrentPrincipal() by: Principal) {
    return this.registry.release(id, by);
  }

  /** The payload is the raw request body (application/octet-stream), read as it arrives, never buffered. */
  @Post('releases/:id/payloads')
  @Roles('os-admin')
  @ApiConsumes('application/octet-stream')
  @ApiBody({
    schema: { type: 'string', format: 'binary', description: 'The OTA payload (zip) as sent to handsets' },
  })
  @ErrorCodes(
    HARDENED_OS_ERROR_STATUS,
    'release_not_found',
    'payload_too_large',
    'payload_truncated',
    'payload_digest_mismatch',
    'payload_upload_timeout',
    'payload_exists',
    'payload_uploads_busy',
  )
  @ZodResponse(201, PayloadView, 'Stored by SHA-256; nothing is stored when the upload is refused')
  upload(
    @Param('id', new ZodValidationPipe(ReleaseIdParam)) id: string,
    @ZodQuery(PayloadQuery) q: z.output<typeof PayloadQuery>,
    @Body() body: unknown,
    @Headers('content-length') length: string | undefined,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    if (!(body instanceof Readable))
      throw hardenedOsError(
        'invalid_os_registry_input',
        'Send the payload as the body with Content-Type: application/octet-stream.',
      );
    return this.payloads.upload(
      id,
      q,
      body,
      length === undefined ? undefined : Number(length),
      by,
      requestId,
    );
  }

  @Get('patch-floors')
  @Roles(...READERS)
  @ZodResponse(200, PatchFloorList)
  floors(@CurrentPrincipal() by: Principal) {
    return this.registry.floors(by);
  }

  @Put('patch-floors')
  @Roles('os-admin')
  @ZodResponse(
    200,
    PatchFloorList,
    "The national floor (institutionId null) or an institution's; device compliance holds handsets below it non-compliant",
  )
  setFloor(
    @ZodBody(PatchFloorInput) body: z.infer<typeof PatchFloorInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.registry.setFloor(body, by, requestId);
  }
}
