import { Controller, Get, Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles, RouteScope } from '../auth/auth.decorators.js';
import { named, ZodQuery, ZodResponse } from '../openapi/zod-openapi.js';
import type { PlatformConfig } from '../config/platform.config.js';
import { PLATFORM_CONFIG } from '../http/platform.tokens.js';
import { ACTOR_DIRECTORY, actorKey, type ActorDirectory, type ActorRef } from './actor-directory.js';
import { AuditService } from './audit.service.js';

export const AuditEntry = named(
  'AuditEntry',
  z.object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    actorType: z.string(),
    actorId: z.string(),
    /** Who the actor is, for people: a user's display name and username, an API token's name; null if unknown. */
    actorName: z.string().nullable(),
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
  /** A username or API token name (any case), or an actor id. */
  actor: z.string().trim().min(1).max(200).optional(),
  /** ISO 8601 times: entries from `from` (inclusive) to `to` (exclusive). */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Words anywhere in the action or the target (any case). */
  q: z.string().trim().min(1).max(200).optional(),
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
    private readonly modules: ModuleRef,
  ) {}

  @Get()
  @ZodResponse(200, AuditPage)
  async list(@ZodQuery(AuditQuery) query: z.infer<typeof AuditQuery>): Promise<z.infer<typeof AuditPage>> {
    const directory = this.directory();
    const { actor, from, to, q, ...rest } = query;
    const page = await this.audit.page({
      ...rest,
      ...(from ? { from: new Date(from) } : {}),
      ...(to ? { to: new Date(to) } : {}),
      ...(q ? { search: q } : {}),
      ...(actor ? { actors: await this.actorsNamed(actor, directory) } : {}),
    });
    const names = directory
      ? await directory.names(page.entries.map((e) => ({ type: e.actorType, id: e.actorId })))
      : new Map<string, string>();
    return {
      ...page,
      entries: page.entries.map((e) => ({
        ...e,
        actorName:
          names.get(actorKey({ type: e.actorType, id: e.actorId })) ??
          (e.actorType === 'system' ? 'Pakawaaz (system)' : null),
      })),
    };
  }

  /** The actors a filter names: by username or token name, or the id itself (any type). */
  private async actorsNamed(actor: string, directory: ActorDirectory | null): Promise<ActorRef[]> {
    const named = directory ? await directory.find(actor) : [];
    const byId = ['operator', 'official', 'api-token', 'system'].map((type) => ({ type, id: actor }));
    return [...named, ...byId];
  }

  /** Identity's directory, when this node has it (it always does; the kernel alone does not). */
  private directory(): ActorDirectory | null {
    try {
      return this.modules.get<ActorDirectory>(ACTOR_DIRECTORY, { strict: false });
    } catch {
      return null;
    }
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
