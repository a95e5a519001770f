import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { named, ZodResponse } from '../openapi/zod-openapi.js';
import { CurrentDevice, DeviceRoute, type DevicePrincipal } from './device-auth.js';

export const DeviceIdentity = named(
  'DeviceIdentity',
  z.object({
    deviceId: z.string(),
    /** The official the handset was enrolled for. */
    userId: z.string(),
    institutionId: z.string().nullable(),
    /** base64url SHA-256 of the presented certificate's DER (RFC 8705 `x5t#S256`). */
    certThumbprint: z.string(),
    compliance: z.enum(['compliant', 'grace', 'non_compliant']),
  }),
);

/** The device edge's own route: a handset or an official's browser (or a test) learns which device it is. */
@ApiTags('device')
@Controller('api/v1/device')
export class DeviceEdgeController {
  /** The device the presented certificate authenticates, as device management knows it. */
  @Get('whoami')
  @DeviceRoute({ desktops: true })
  @ZodResponse(200, DeviceIdentity)
  whoami(@CurrentDevice() device: DevicePrincipal): z.infer<typeof DeviceIdentity> {
    return {
      deviceId: device.deviceId,
      userId: device.userId,
      institutionId: device.institutionId,
      certThumbprint: device.certThumbprint,
      compliance: device.compliance,
    };
  }
}
