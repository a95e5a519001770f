import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  isoDateTime,
  named,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { AUTH_EVENT_CHANNELS, AUTH_EVENT_REASON_CODES, AUTH_EVENT_RESULTS } from './auth-event-reasons.js';
import { AuthEventsService } from './auth-events.service.js';

export const AuthEvent = named(
  'AuthEvent',
  z.object({
    id: z.string(),
    at: isoDateTime(),
    channel: z.enum(AUTH_EVENT_CHANNELS),
    result: z.enum(AUTH_EVENT_RESULTS),
    reason: z.string(),
    /** The reason in words, e.g. "wrong password". */
    reasonText: z.string(),
    method: z.string().nullable(),
    username: z.string().nullable(),
    userId: z.string().nullable(),
    imsi: z.string().nullable(),
    clientId: z.string().nullable(),
    clientName: z.string().nullable(),
    source: z.string().nullable(),
    /** Identical dropped datagrams stored as one event. */
    count: z.number().int(),
  }),
);
export const AuthEventList = named('AuthEventList', z.object({ events: z.array(AuthEvent) }));

export const AuthEventQuery = z
  .object({
    channel: z.enum(AUTH_EVENT_CHANNELS).optional(),
    result: z.enum(AUTH_EVENT_RESULTS).optional(),
    reason: z.enum(AUTH_EVENT_REASON_CODES as [string, ...string[]]).optional(),
    /** A user name or user id. */
    user: z.string().trim().min(1).max(253).optional(),
    /** A NAS client's name or id. */
    nas: z.string().trim().min(1).max(100).optional(),
    imsi: z
      .string()
      .regex(/^\d{6,15}$/)
      .optional(),
    since: z.coerce.date().optional(),
    until: z.coerce.date().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/**
 * Sign-in events — HTTP sign-in steps and RADIUS requests — with why each failed, newest first. An
 * institution's security officers see their institution's officials; events without an account (unknown
 * names, dropped datagrams) are national.
 */
@ApiTags('auth-events')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/auth-events')
export class AuthEventsController {
  constructor(private readonly events: AuthEventsService) {}

  @Get()
  @Roles('security-officer', 'viewer', 'network-admin')
  @ZodResponse(200, AuthEventList)
  async list(@ZodQuery(AuthEventQuery) q: z.infer<typeof AuthEventQuery>, @CurrentPrincipal() p: Principal) {
    return { events: await this.events.list(p, q) };
  }
}
