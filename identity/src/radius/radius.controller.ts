import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  isoDateTime,
  named,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { AuthEventsService } from '../auth-events/auth-events.service.js';
import { RadiusAccountingService } from './radius-accounting.service.js';
import { RadiusClientAdmin } from './radius-client-admin.service.js';
import { RadiusClientsService } from './radius-clients.service.js';
import { RadiusListener } from './radius.listener.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

const RadiusClientView = z.object({
  id: z.string(),
  name: z.string(),
  cidr: z.string(),
  createdAt: isoDateTime(),
  /** Set while the NAS is disabled (its datagrams are dropped). */
  disabledAt: isoDateTime().nullable(),
  secretRotatedAt: isoDateTime().nullable(),
});
export const RadiusClient = named('RadiusClient', RadiusClientView);
export const RadiusClientList = named('RadiusClientList', z.object({ clients: z.array(RadiusClientView) }));
export const NewRadiusClient = named(
  'NewRadiusClient',
  z
    .object({
      name: z.string().trim().min(1).max(100),
      cidr: z.string().trim().min(2).max(64),
      /**
       * The shared secret, at least 16 characters; when omitted, 32 letters and digits are generated and
       * returned once.
       */
      secret: z.string().min(16, 'use a shared secret of at least 16 characters').max(128).optional(),
    })
    .strict(),
  'input',
);
export const RadiusClientChange = named(
  'RadiusClientChange',
  z
    .object({
      name: z.string().trim().min(1).max(100).optional(),
      cidr: z.string().trim().min(2).max(64).optional(),
      disabled: z.boolean().optional(),
    })
    .strict(),
  'input',
);
export const RadiusSecretRotation = named(
  'RadiusSecretRotation',
  z
    .object({
      /** The new shared secret; when omitted, 32 letters and digits are generated and returned once. */
      secret: z.string().min(16, 'use a shared secret of at least 16 characters').max(128).optional(),
    })
    .strict(),
  'input',
);
export const RotatedRadiusSecret = named(
  'RotatedRadiusSecret',
  z.object({ id: z.string(), secret: z.string() }),
);
export const RadiusClientCounters = named(
  'RadiusClientCounters',
  z.object({
    since: isoDateTime(),
    /** Per NAS (clientId null: datagrams from unregistered addresses), result and reason code. */
    counters: z.array(
      z.object({
        clientId: z.string().nullable(),
        result: z.string(),
        reason: z.string(),
        count: z.number().int(),
      }),
    ),
  }),
);
const CountersQuery = z.object({ since: z.coerce.date().optional() }).strict();
export const CreatedRadiusClient = named(
  'CreatedRadiusClient',
  RadiusClientView.extend({ secret: z.string() }),
);
export const AccountingRecord = named(
  'AccountingRecord',
  z.object({
    id: z.string(),
    clientId: z.string(),
    acctSessionId: z.string(),
    statusType: z.string(),
    username: z.string().nullable(),
    userId: z.string().nullable(),
    imsi: z.string().nullable(),
    nasIp: z.string().nullable(),
    nasIdentifier: z.string().nullable(),
    callingStationId: z.string().nullable(),
    framedIp: z.string().nullable(),
    sessionTimeSeconds: z.number().int().nullable(),
    inputOctets: z.number().nullable(),
    outputOctets: z.number().nullable(),
    terminateCause: z.string().nullable(),
    eventAt: isoDateTime(),
    receivedAt: isoDateTime(),
  }),
);
export const AccountingList = named('AccountingList', z.object({ records: z.array(AccountingRecord) }));
const AccountingQuery = z.object({
  user: z.uuid().optional(),
  imsi: z
    .string()
    .regex(/^\d{6,15}$/)
    .optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export const RadiusStatus = named(
  'RadiusStatus',
  z.object({
    listening: z.boolean(),
    authPort: z.number().int().nullable(),
    acctPort: z.number().int().nullable(),
    stats: z.record(z.string(), z.unknown()).nullable(),
    /** The sign-in event log's write queue: events waiting, written, and lost (queue full, write failed). */
    log: z.object({
      queued: z.number().int(),
      written: z.number().int(),
      lost: z.number().int(),
      writeFailures: z.number().int(),
    }),
  }),
);

/**
 * NAS clients of the RADIUS server, its status, and the accounting records it stored. National: the NAS
 * devices and the accounting records (IMSIs, addresses, usage of every official) are national infrastructure.
 */
@ApiTags('radius')
@ApiBearerAuth('bearer')
@RouteScope('national')
@ErrorCodes(IDENTITY_ERROR_STATUS, 'radius_client_exists', 'radius_client_invalid', 'radius_client_not_found')
@Controller('api/v1/radius')
export class RadiusController {
  constructor(
    private readonly clients: RadiusClientsService,
    private readonly accounting: RadiusAccountingService,
    private readonly listener: RadiusListener,
    private readonly admin: RadiusClientAdmin,
    private readonly events: AuthEventsService,
  ) {}

  @Get('status')
  @Roles('viewer', 'network-admin', 'security-officer')
  @ZodResponse(200, RadiusStatus)
  status() {
    return this.listener.status();
  }

  @Get('clients')
  @Roles('viewer', 'network-admin', 'security-officer')
  @ZodResponse(200, RadiusClientList)
  async list() {
    return { clients: await this.clients.list() };
  }

  @Post('clients')
  @Roles('network-admin', 'security-officer')
  @ZodResponse(201, CreatedRadiusClient, 'Registered; the secret is returned this once')
  add(
    @ZodBody(NewRadiusClient) b: z.infer<typeof NewRadiusClient>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.clients.add(b, { principal: p, requestId: r });
  }

  @Get('clients/counters')
  @Roles('viewer', 'network-admin', 'security-officer')
  @ZodResponse(200, RadiusClientCounters)
  async counters(
    @ZodQuery(CountersQuery) q: z.infer<typeof CountersQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    const since = q.since ?? new Date(Date.now() - 86_400_000);
    return { since, counters: await this.events.nasCounters(p, since) };
  }

  @Patch('clients/:id')
  @Roles('network-admin', 'security-officer')
  @ZodResponse(200, RadiusClient)
  update(
    @Param('id') id: string,
    @ZodBody(RadiusClientChange) b: z.infer<typeof RadiusClientChange>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.admin.update(id, b, { principal: p, requestId: r });
  }

  @Post('clients/:id/secret')
  @HttpCode(200)
  @Roles('network-admin', 'security-officer')
  @ZodResponse(200, RotatedRadiusSecret, 'Rotated; the new secret is returned this once')
  rotate(
    @Param('id') id: string,
    @ZodBody(RadiusSecretRotation) b: z.infer<typeof RadiusSecretRotation>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.admin.rotate(id, b.secret, { principal: p, requestId: r });
  }

  @Delete('clients/:id')
  @HttpCode(204)
  @Roles('network-admin', 'security-officer')
  remove(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.clients.remove(id, { principal: p, requestId: r });
  }

  @Get('accounting')
  @Roles('billing', 'network-admin', 'security-officer', 'viewer')
  @ZodResponse(200, AccountingList)
  async records(
    @ZodQuery(AccountingQuery) q: z.infer<typeof AccountingQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    return { records: await this.accounting.list({ ...q, userId: q.user }, p) };
  }
}
