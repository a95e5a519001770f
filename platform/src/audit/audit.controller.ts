import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles, RouteScope } from '../auth/auth.decorators.js';
import { named, ZodQuery, ZodResponse } from '../openapi/zod-openapi.js';
import type { PlatformConfig } from '../config/platform.config.js';
import { PLATFORM_CONFIG } from '../http/platform.tokens.js';
import { AuditService } from './audit.service.js';

export const AuditEntry = named(
  'AuditEntry',
  z.object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    actorType: z.string(),
    actorId: z.string(),
    action: z.string(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
  }),
);
export const AuditPage = named(
  'AuditPage',
  z.object({ entries: z.array(AuditEntry), nextBeforeSeq: z.number().int().nullable() }),
);
export const AuditVerification = named(
  'AuditVerification',
  z.object({
    ok: z.boolean(),
    entries: z.number().int(),
    head: z.string().nullable(),
    brokenAt: z
      .object({
        seq: z.number().int(),
        id: z.string(),
        reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']),
      })
      .nullable(),
    checkpoints: z.object({
      count: z.number().int(),
      latest: z.object({ n: z.number().int(), seq: z.number().int(), at: z.string() }).nullable(),
    }),
    checkpointProblem: z
      .object({
        n: z.number().int(),
        seq: z.number().int(),
        at: z.string(),
        reason: z.enum([
          'truncated',
          'checkpoint_mismatch',
          'checkpoint_invalid',
          'checkpoint_missing',
          'checkpoint_key_missing',
          'checkpoints_deleted',
          'checkpoint_stale',
        ]),
        message: z.string(),
      })
      .nullable(),
  }),
);
const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  beforeSeq: z.coerce.number().int().min(1).optional(),
  action: z
    .string()
    .regex(/^[a-z][a-z0-9.-]{0,99}$/)
    .optional(),
});

@ApiTags('audit')
@ApiBearerAuth('bearer')
@Roles('security-officer', 'viewer')
// The national, hash-chained log of every privileged action; entries carry no institution to filter on.
@RouteScope('national')
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  @Get()
  @ZodResponse(200, AuditPage)
  list(@ZodQuery(AuditQuery) query: z.infer<typeof AuditQuery>): Promise<z.infer<typeof AuditPage>> {
    return this.audit.page(query);
  }

  @Get('verify')
  @Roles('security-officer')
  @ZodResponse(200, AuditVerification)
  verify(): Promise<z.infer<typeof AuditVerification>> {
    return this.audit.verification({
      checkpointIntervalSeconds: this.config.PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS,
    });
  }
}
