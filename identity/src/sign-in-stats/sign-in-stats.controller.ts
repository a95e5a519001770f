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
import { SIGN_IN_FACTORS } from './sign-in-tally.js';
import { SignInStatsService, type SignInStatsView } from './sign-in-stats.service.js';

export const SignInStatsQuery = z.object({
  hours: z.coerce.number().int().min(1).max(24).default(24),
});

export const SignInStats = named(
  'SignInStats',
  z.object({
    bucketSeconds: z.number().int(),
    since: isoDateTime(),
    scope: z.literal('node').describe("this node's counts since it started (each node keeps its own)"),
    buckets: z.array(
      z.object({
        at: isoDateTime(),
        factor: z.enum(SIGN_IN_FACTORS as [string, ...string[]]),
        succeeded: z.number().int(),
        failed: z.number().int(),
      }),
    ),
  }),
);

@ApiTags('sign-in-stats')
@ApiBearerAuth('bearer')
@Roles('security-officer', 'viewer')
@RouteScope('national')
@Controller('api/v1/sign-in-stats')
export class SignInStatsController {
  constructor(private readonly stats: SignInStatsService) {}

  @Get()
  @ZodResponse(
    200,
    SignInStats,
    'Sign-in successes and failures by factor, in 5-minute buckets, oldest first',
  )
  view(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(SignInStatsQuery) query: z.infer<typeof SignInStatsQuery>,
  ): Promise<SignInStatsView> {
    return this.stats.view(principal, query.hours);
  }
}
