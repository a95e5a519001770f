import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  DeviceRoute,
  ErrorCodes,
  ZodBody,
  ZodResponse,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { DeviceAttestationService } from './device-attestation.service.js';
import {
  b64Bytes,
  Challenge,
  Enrolled,
  ReattestationRequest,
  Reattested,
  RenewalRequest,
} from './enrolment.dto.js';

/** A handset's own attestation and certificate routes (mutual TLS with its device certificate). */
@ApiTags('device')
@DeviceRoute()
@ErrorCodes(
  DEVICE_MGMT_ERROR_STATUS,
  'challenge_invalid',
  'attestation_malformed',
  'attestation_refused',
  'csr_invalid',
  'csr_key_mismatch',
  'device_not_found',
)
@Controller('api/v1/device')
export class DeviceAttestationController {
  constructor(private readonly attestation: DeviceAttestationService) {}

  @Post('attestation/challenge')
  @HttpCode(200)
  @ZodResponse(200, Challenge)
  challenge(@CurrentDevice() device: DevicePrincipal) {
    return this.attestation.challenge(device);
  }

  /** Re-attestation: a key attested with the challenge; accepted facts replace the device's. */
  @Post('attestation')
  @HttpCode(200)
  @ZodResponse(200, Reattested)
  async reattest(
    @CurrentDevice() device: DevicePrincipal,
    @ZodBody(ReattestationRequest) body: z.infer<typeof ReattestationRequest>,
  ) {
    const r = await this.attestation.reattest(device, {
      challengeId: body.challengeId,
      attestationChain: body.attestationChain.map(b64Bytes),
    });
    return { deviceId: device.deviceId, attestedAt: r.attestedAt };
  }

  /** Renewal: a new certificate for the same key, or for a newly attested one; the old one is superseded. */
  @Post('certificate')
  @HttpCode(200)
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'renewal_rate_limited')
  @ZodResponse(200, Enrolled)
  async renew(
    @CurrentDevice() device: DevicePrincipal,
    @ZodBody(RenewalRequest) body: z.infer<typeof RenewalRequest>,
  ) {
    const r = await this.attestation.renew(device, {
      csr: b64Bytes(body.csr),
      challengeId: body.challengeId,
      attestationChain: body.attestationChain?.map(b64Bytes),
    });
    return { ...r, checkInIntervalSeconds: 900 };
  }
}
