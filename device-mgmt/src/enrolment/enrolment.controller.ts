import { Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  Public,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DeviceCaService } from '../device-ca/device-ca.service.js';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import {
  b64Bytes,
  Challenge,
  ChallengeRequest,
  CreatedEnrolmentToken,
  CreateEnrolmentToken,
  Enrolled,
  EnrolmentRequest,
  EnrolmentTokenList,
  EnrolmentTokenQuery,
} from './enrolment.dto.js';
import { EnrolmentTokensService } from './enrolment-tokens.service.js';
import { EnrolmentService } from './enrolment.service.js';

@ApiTags('devices')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@ErrorCodes(
  DEVICE_MGMT_ERROR_STATUS,
  'official_not_found',
  'not_an_official',
  'official_disabled',
  'official_directory_unavailable',
  'enrolment_token_not_found',
  'enrolment_token_spent',
)
@Controller('api/v1/enrolment-tokens')
export class EnrolmentTokensController {
  constructor(private readonly tokens: EnrolmentTokensService) {}

  /** A single-use enrolment token for an official (shown once; print it or show its QR code). */
  @Post()
  @Roles('device-admin')
  @Header('cache-control', 'no-store')
  @ZodResponse(201, CreatedEnrolmentToken)
  create(
    @ZodBody(CreateEnrolmentToken) body: z.infer<typeof CreateEnrolmentToken>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tokens.create(body, p, requestId);
  }

  @Get()
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, EnrolmentTokenList)
  async list(
    @ZodQuery(EnrolmentTokenQuery) q: z.infer<typeof EnrolmentTokenQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    return { tokens: await this.tokens.list(p, q) };
  }

  @Delete(':id')
  @Roles('device-admin')
  @HttpCode(204)
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tokens.revoke(id, p, requestId);
  }
}

/** The handset's side of enrolment: public (the token is the credential), rate-limited by the token's life. */
@ApiTags('devices')
@RouteScope('self')
@ErrorCodes(
  DEVICE_MGMT_ERROR_STATUS,
  'enrolment_token_invalid',
  'challenge_invalid',
  'attestation_malformed',
  'attestation_refused',
  'csr_invalid',
  'csr_key_mismatch',
  'device_already_enrolled',
  'official_disabled',
)
@Controller('api/v1/enrolment')
export class HandsetEnrolmentController {
  constructor(private readonly enrolment: EnrolmentService) {}

  /** A single-use attestation challenge (5 minutes) for this token. */
  @Post('challenge')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, Challenge)
  challenge(@ZodBody(ChallengeRequest) body: z.infer<typeof ChallengeRequest>) {
    return this.enrolment.challenge(body.token);
  }

  /** Attested enrolment: the key attestation chain and a CSR for that key → the device certificate. */
  @Post()
  @Public()
  @Header('cache-control', 'no-store')
  @ZodResponse(201, Enrolled)
  enrol(@ZodBody(EnrolmentRequest) body: z.infer<typeof EnrolmentRequest>, @RequestId() requestId: string) {
    return this.enrolment.enrol(
      {
        token: body.token,
        challengeId: body.challengeId,
        attestationChain: body.attestationChain.map(b64Bytes),
        csr: b64Bytes(body.csr),
        reported: body.reported,
      },
      requestId,
    );
  }
}

/** The device CA's public face: its certificate and CRL (handsets, the edge, relying parties). */
@ApiTags('devices')
@RouteScope('self')
@Controller('api/v1/device-ca')
export class DeviceCaController {
  constructor(private readonly ca: DeviceCaService) {}

  @Get('certificate')
  @Public()
  @Header('content-type', 'application/x-pem-file')
  @ApiProduces('application/x-pem-file')
  @ApiResponse({ status: 200, description: 'the device CA certificates (current first), PEM' })
  certificate(): string {
    return this.ca.caPems().join('');
  }

  @Get('crl')
  @Public()
  @Header('content-type', 'application/pkix-crl')
  @ApiProduces('application/pkix-crl')
  @ApiResponse({ status: 200, description: 'the certificate revocation list, DER' })
  async crl(): Promise<Buffer> {
    return Buffer.from(await this.ca.crl());
  }
}
