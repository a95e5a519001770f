import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  isoDateTime,
  named,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { DeviceAdminService } from './device-admin.service.js';
import { FleetOsService } from '../os-updates/fleet-os.service.js';

const Compliance = z.enum(['compliant', 'grace', 'non_compliant']);
const State = z.enum(['active', 'lost', 'wiped', 'retired']);

export const DeviceSummary = named(
  'DeviceSummary',
  z.object({
    id: z.string(),
    official: z.object({
      id: z.string(),
      username: z.string().nullable(),
      displayName: z.string().nullable(),
    }),
    institutionId: z.string().nullable(),
    institutionName: z.string().nullable(),
    kind: z.enum(['handset', 'desktop']).describe('desktop: an official’s browser (the web chat)'),
    imei: z.string().nullable(),
    serial: z.string().nullable(),
    brand: z.string().nullable(),
    model: z.string().nullable(),
    imsi: z.string().nullable(),
    state: State,
    compliance: Compliance,
    complianceReasons: z.array(z.string()),
    patchLevel: z
      .string()
      .nullable()
      .describe("'YYYY-MM': the last reported security patch, else the attested OS patch level"),
    lastAttestedAt: isoDateTime(),
    lastCheckInAt: isoDateTime().nullable(),
    enrolledAt: isoDateTime(),
  }),
);

export const DevicePage = named(
  'DevicePage',
  z.object({
    devices: z.array(DeviceSummary),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
);

export const DeviceDetail = named(
  'DeviceDetail',
  DeviceSummary.extend({
    attestation: z.record(z.string(), z.unknown()).describe('facts of the last accepted key attestation'),
    lastReport: z.record(z.string(), z.unknown()).nullable(),
    appliedPolicyVersion: z.number().int().nullable(),
    certificates: z.array(
      z.object({
        serial: z.string(),
        thumbprint: z.string(),
        notBefore: isoDateTime(),
        notAfter: isoDateTime(),
        status: z.enum(['valid', 'expired', 'revoked']),
        revokedAt: isoDateTime().nullable(),
        revocationReason: z.string().nullable(),
      }),
    ),
  }),
);

export const RetireDevice = named(
  'RetireDevice',
  z.object({ reason: z.string().min(3).max(500) }).strict(),
  'input',
);
export const RetiredDevice = named(
  'RetiredDevice',
  z.object({ id: z.string(), state: z.literal('retired'), revokedCertificates: z.array(z.string()) }),
);

export const MarkLost = named(
  'MarkLost',
  z.object({ reason: z.string().trim().min(3).max(500).optional() }).strict(),
  'input',
);
export const LostDevice = named(
  'LostDevice',
  z.object({
    id: z.string(),
    state: z.literal('lost'),
    revokedCertificates: z.array(z.string()).describe('serials revoked now (empty: none was still live)'),
  }),
);

export const FleetSummary = named(
  'FleetSummary',
  z.object({
    total: z.number().int(),
    byCompliance: z.object({
      compliant: z.number().int(),
      grace: z.number().int(),
      non_compliant: z.number().int(),
    }),
    byState: z.object({
      active: z.number().int(),
      lost: z.number().int(),
      wiped: z.number().int(),
      retired: z.number().int(),
    }),
    /** 'YYYY-MM' (reported at check-in, else attested), newest first; null: not known. */
    byPatchLevel: z.array(z.object({ patchLevel: z.string().nullable(), count: z.number().int() })),
    byModel: z.array(z.object({ model: z.string().nullable(), count: z.number().int() })),
    /** Handsets attested by the lab root are accepted (PAKAWAAZ_TRUST_LAB_ROOT=1): demo and tests only. */
    trustsLabAttestationRoot: z.boolean(),
  }),
);

export const FleetOs = named(
  'FleetOs',
  z.object({
    /** Live handsets (active, lost) in the caller's scope. */
    total: z.number().int(),
    byPatchMonth: z
      .array(z.object({ patchMonth: z.string().nullable(), count: z.number().int() }))
      .describe("'YYYY-MM' (reported at check-in, else attested), newest first; null: not known"),
    byOsBuild: z
      .array(z.object({ osBuild: z.string().nullable(), count: z.number().int() }))
      .describe('the OS build last reported at check-in (null: never checked in), most common first'),
  }),
);

const DeviceListQuery = z.object({
  q: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('username or user id, or part of an IMEI, serial or model'),
  institution: z.string().max(64).optional(),
  compliance: Compliance.optional(),
  model: z.string().max(64).optional(),
  state: State.optional(),
  patchLevel: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a patch month 'YYYY-MM'")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

@ApiTags('devices')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_found', 'device_retired')
@Controller('api/v1/devices')
export class DeviceAdminController {
  constructor(
    private readonly devices: DeviceAdminService,
    private readonly fleetOs: FleetOsService,
  ) {}

  @Get()
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DevicePage)
  list(@ZodQuery(DeviceListQuery) q: z.infer<typeof DeviceListQuery>, @CurrentPrincipal() p: Principal) {
    return this.devices.list(p, q);
  }

  /** Counts for the fleet overview (the caller's institutions only). */
  @Get('summary')
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, FleetSummary)
  summary(@CurrentPrincipal() p: Principal) {
    return this.devices.summary(p);
  }

  /** The fleet's OS: live handsets by security patch month and by OS build (the caller's institutions only). */
  @Get('os')
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, FleetOs)
  os(@CurrentPrincipal() p: Principal) {
    return this.fleetOs.view(p);
  }

  @Get(':id')
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DeviceDetail)
  show(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.devices.show(id, p);
  }

  /** Retires a handset for good: its certificates are revoked (CRL) and it can no longer authenticate. */
  @Post(':id/retire')
  @Roles('device-admin')
  @HttpCode(200)
  @ZodResponse(200, RetiredDevice)
  retire(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(RetireDevice) body: z.infer<typeof RetireDevice>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.devices.retire(id, body.reason, p, requestId);
  }

  /**
   * Declares a handset lost: its certificates are revoked (CRL, reason keyCompromise), its SIM is barred, and
   * it can no longer check in, reach the broker or sign its official in. A handset found later is re-enrolled.
   */
  @Post(':id/lost')
  @Roles('device-admin')
  @HttpCode(200)
  @ZodResponse(200, LostDevice)
  markLost(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(MarkLost) body: z.infer<typeof MarkLost>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.devices.markLost(id, body.reason ?? null, p, requestId);
  }
}
