import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { MAX_SOAK_MINUTES, MAX_STAGES, RINGS, ROLLOUT_STATES } from './rollout-rules.js';

const StageInput = z
  .object({
    ring: z.enum(RINGS),
    percent: z.number().int().min(1).max(100).describe('Share of the ring, 1–100'),
    soakMinutes: z
      .number()
      .int()
      .min(0)
      .max(MAX_SOAK_MINUTES)
      .describe('How long the stage runs before the next one starts'),
  })
  .strict();

export const RolloutInput = named(
  'OsRolloutInput',
  z
    .object({
      releaseId: z.string().uuid('expected a release id (UUID)'),
      stages: z
        .array(StageInput)
        .min(1)
        .max(MAX_STAGES)
        .optional()
        .describe('Default: pilot 100% / early 10%, 50%, 100% / broad 5%, 25%, 100%, a day each'),
      startAt: z.iso
        .datetime({ offset: true })
        .optional()
        .describe('When the first stage starts (default: now)'),
      failureThreshold: z
        .number()
        .gt(0)
        .lt(1)
        .optional()
        .describe(
          'Halt when failed / (updated + failed), in the current stage or over the whole rollout, passes this (default 0.05)',
        ),
      minOutcomes: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .optional()
        .describe(
          'Outcomes (updated + failed) the current stage, or the rollout, needs before its failure rate is weighed (default 5)',
        ),
    })
    .strict(),
  'input',
);

export const HaltInput = named(
  'OsRolloutHaltInput',
  z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
  'input',
);
export const AdvanceInput = named(
  'OsRolloutAdvanceInput',
  z
    .object({
      force: z
        .boolean()
        .optional()
        .describe(
          'Advance even though the failure rate is over the threshold (refused with 409 rollout_stage_over_threshold otherwise); recorded in the audit entry',
        ),
    })
    .strict(),
  'input',
);
export const RingInput = named('InstitutionRingInput', z.object({ ring: z.enum(RINGS) }).strict(), 'input');
export const RolloutIdParam = z.string().uuid('expected a rollout id (UUID)');
export const InstitutionIdParam = z.string().uuid('expected an institution id (UUID)');

const Progress = z.object({
  offered: z.number().int().describe('Devices offered the release (every device with an outcome)'),
  updated: z.number().int(),
  failed: z.number().int(),
  pending: z.number().int().describe('Offered, no result yet'),
});

export const RolloutView = named(
  'OsRollout',
  z.object({
    id: z.string(),
    releaseId: z.string(),
    model: z.string(),
    release: z
      .object({
        buildId: z.string(),
        version: z.string(),
        securityPatchLevel: z.string(),
        fingerprint: z.string(),
      })
      .nullable(),
    state: z.enum(ROLLOUT_STATES),
    currentStage: z.number().int(),
    startAt: isoDateTime(),
    stageStartedAt: isoDateTime().nullable(),
    failureThreshold: z.number(),
    minOutcomes: z.number().int(),
    haltReason: z.string().nullable(),
    /** The creating operator (national readers only; null for an institution's). */
    createdBy: z.string().nullable(),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
    stages: z.array(
      z.object({
        ring: z.enum(RINGS),
        percent: z.number().int(),
        soakMinutes: z.number().int(),
        status: z.enum(['done', 'current', 'pending']),
        progress: Progress,
      }),
    ),
    rings: z.array(z.object({ ring: z.enum(RINGS) }).extend(Progress.shape)),
    scope: z
      .enum(['national', 'institution'])
      .describe("institution: the counts are the caller's institutions' devices only"),
  }),
);
export const RolloutList = named('OsRolloutList', z.object({ rollouts: z.array(RolloutView) }));

export const RingView = named(
  'InstitutionRing',
  z.object({
    institutionId: z.string(),
    institutionName: z.string().nullable(),
    ring: z.enum(RINGS),
    explicit: z.boolean().describe('false: no ring was set, so the institution is in broad'),
    updatedBy: z.string().nullable(),
    updatedAt: isoDateTime().nullable(),
  }),
);
export const RingList = named('InstitutionRingList', z.object({ rings: z.array(RingView) }));
