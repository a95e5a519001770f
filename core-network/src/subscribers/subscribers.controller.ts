import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  isoDateTime,
  named,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from '../core-network.config.js';
import { coreNetworkError, CORE_NETWORK_ERROR_STATUS } from '../core-network.errors.js';
import { AssignSubscriber, assignInput, Ipv4, Ipv6, ProfileName } from './subscribers.dto.js';
import type { SubscriberRow } from './subscribers.repository.js';
import { SubscribersService, type SubscriberWithMsisdn } from './subscribers.service.js';

export const Subscriber = named(
  'Subscriber',
  z.object({
    imsi: z.string(),
    msisdn: z.string().nullable(),
    userId: z.string(),
    /** The official's username in identity now (null: identity does not know the user any more). */
    username: z.string().nullable(),
    displayName: z.string(),
    /** Whether the official's account is active or disabled in identity (null: unknown). */
    officialStatus: z.enum(['active', 'disabled']).nullable(),
    institutionId: z.string().nullable(),
    /** The official's institution's name (null: none, national). */
    institutionName: z.string().nullable(),
    profile: z.string(),
    staticIpv4: z.string().nullable(),
    /** RFC 5952 form; the UE gets its whole /64. */
    staticIpv6: z.string().nullable(),
    status: z.enum(['active', 'barred']),
    barringReason: z.string().nullable(),
    open5gs: z.object({
      /** `export-only`: no OPEN5GS_MONGODB_URL; Open5GS gets its documents from `pakawaaz subscribers export`. */
      state: z.enum(['synced', 'pending', 'error', 'export-only']),
      synced: z.boolean(),
      syncedAt: isoDateTime().nullable(),
      error: z.string().nullable(),
      /**
       * Export-only mode: changed since the last `subscribers export`, so Open5GS does not have the change yet
       * (a barred one can still attach until the export is loaded). Always false with live sync.
       */
      exportPending: z.boolean(),
    }),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
  }),
);
export const SubscriberPage = named(
  'SubscriberPage',
  z.object({
    subscribers: z.array(Subscriber),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
);
export const UpdateSubscriber = named(
  'UpdateSubscriber',
  z
    .object({
      profile: ProfileName.optional(),
      staticIpv4: Ipv4.nullable().optional(),
      staticIpv6: Ipv6.nullable().optional(),
    })
    .strict(),
  'input',
);
export const BarringRequest = named(
  'BarringRequest',
  z.object({ reason: z.string().min(3).max(500) }).strict(),
  'input',
);
const ListQuery = z.object({
  search: z.string().min(1).max(100).optional(),
  status: z.enum(['active', 'barred']).optional(),
  institutionId: z.string().max(64).optional(),
  profile: ProfileName.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export function subscriberView(
  s: SubscriberRow & Partial<Omit<SubscriberWithMsisdn, keyof SubscriberRow>>,
  live = true,
): z.infer<typeof Subscriber> {
  return {
    imsi: s.imsi,
    msisdn: s.msisdn ?? null,
    userId: s.userId,
    username: s.username ?? null,
    displayName: s.displayName,
    officialStatus: s.officialStatus ?? null,
    institutionId: s.institutionId,
    institutionName: s.institutionName ?? null,
    profile: s.profileName,
    staticIpv4: s.staticIpv4,
    staticIpv6: s.staticIpv6,
    status: s.status,
    barringReason: s.barringReason,
    open5gs: {
      state: !live
        ? 'export-only'
        : s.syncError
          ? 'error'
          : s.syncedVersion === s.version
            ? 'synced'
            : 'pending',
      synced: s.syncedVersion === s.version,
      syncedAt: s.syncedAt?.toISOString() ?? null,
      error: s.syncError,
      exportPending: !live && s.version > s.exportedVersion,
    },
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

const imsiParam = (imsi: string) => {
  if (!/^\d{15}$/.test(imsi)) throw coreNetworkError('subscriber_not_found', 'No subscriber with this IMSI.');
  return imsi;
};

@ApiTags('subscribers')
@ApiBearerAuth('bearer')
// Reading is filtered to the caller's institutions; assigning, changing and barring act on the national
// network and SIM inventory (the methods say so).
@RouteScope('institution')
@ErrorCodes(
  CORE_NETWORK_ERROR_STATUS,
  'sim_not_found',
  'sim_not_available',
  'subscriber_not_found',
  'subscriber_exists',
  'profile_not_found',
  'profile_in_use',
  'invalid_profile',
  'official_not_found',
  'official_disabled',
  'not_an_official',
  'institution_mismatch',
  'official_directory_unavailable',
  'network_spec_missing',
  'invalid_static_ip',
  'static_ip_in_use',
)
@Controller('api/v1/subscribers')
export class SubscribersController {
  private readonly live: boolean;

  constructor(
    private readonly service: SubscribersService,
    @Inject(CORE_NETWORK_CONFIG) config: CoreNetworkConfig,
  ) {
    this.live = config.open5gsMongoUrl !== undefined;
  }

  private view = (s: SubscriberWithMsisdn) => subscriberView(s, this.live);

  @Get()
  @Roles('viewer', 'sim-operator', 'network-admin')
  @ZodResponse(200, SubscriberPage)
  async list(@ZodQuery(ListQuery) q: z.infer<typeof ListQuery>, @CurrentPrincipal() p: Principal) {
    const { rows, total } = await this.service.list(q, p);
    return { subscribers: rows.map(this.view), total, limit: q.limit, offset: q.offset };
  }

  @Get(':imsi')
  @Roles('viewer', 'sim-operator', 'network-admin')
  @ZodResponse(200, Subscriber)
  async get(@Param('imsi') imsi: string, @CurrentPrincipal() p: Principal) {
    return this.view(await this.service.get(imsiParam(imsi), p));
  }

  @Post()
  @Roles('sim-operator')
  @RouteScope('national')
  @ZodResponse(201, Subscriber)
  async assign(
    @ZodBody(AssignSubscriber) body: z.infer<typeof AssignSubscriber>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.view(await this.service.assign(assignInput(body), { principal: p, requestId }));
  }

  @Patch(':imsi')
  @Roles('sim-operator', 'network-admin')
  @RouteScope('national')
  @ZodResponse(200, Subscriber)
  async update(
    @Param('imsi') imsi: string,
    @ZodBody(UpdateSubscriber) body: z.infer<typeof UpdateSubscriber>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.view(await this.service.update(imsiParam(imsi), body, { principal: p, requestId }));
  }

  @Post(':imsi/bar')
  @Roles('sim-operator', 'network-admin', 'security-officer')
  @RouteScope('national')
  @HttpCode(200)
  @ZodResponse(200, Subscriber)
  async bar(
    @Param('imsi') imsi: string,
    @ZodBody(BarringRequest) body: z.infer<typeof BarringRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.view(await this.service.bar(imsiParam(imsi), body.reason, { principal: p, requestId }));
  }

  @Post(':imsi/unbar')
  @Roles('network-admin', 'security-officer')
  @RouteScope('national')
  @HttpCode(200)
  @ZodResponse(200, Subscriber)
  async unbar(
    @Param('imsi') imsi: string,
    @ZodBody(BarringRequest) body: z.infer<typeof BarringRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.view(await this.service.unbar(imsiParam(imsi), body.reason, { principal: p, requestId }));
  }

  @Delete(':imsi')
  @Roles('sim-operator')
  @RouteScope('national')
  @HttpCode(204)
  unassign(@Param('imsi') imsi: string, @CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return this.service.unassign(imsiParam(imsi), { principal: p, requestId });
  }
}
