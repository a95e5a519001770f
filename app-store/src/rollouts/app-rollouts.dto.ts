import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { APP_ROLLOUT_STATES } from './app-rollout-rules.js';
import type { AppRolloutRow } from './app-rollouts.repository.js';

const uuid = z.string().uuid();
const percent = z.number().int().min(1).max(100).describe('Share of the institution’s handsets, 1–100');

export const AppRolloutIdParam = uuid;

export const AppRolloutInput = named(
  'AppRolloutInput',
  z
    .object({
      versionId: uuid.describe('An approved stable or beta version the institution’s catalogue offers'),
      institutionId: uuid,
      percent,
      failureThreshold: z
        .number()
        .gt(0)
        .lt(1)
        .optional()
        .describe(
          'Halt when (failed installs + crashing + attestation failures) / attempted passes this (default 0.05)',
        ),
      minDevices: z
        .number()
        .int()
        .min(1)
        .max(10_000)
        .optional()
        .describe('Devices attempted before the failure rate is weighed (default 5, at most 10,000)'),
    })
    .strict(),
  'input',
);
export const AppRolloutListQuery = z.object({ institutionId: uuid.optional() }).strict();
export const AppRolloutPercentInput = named(
  'AppRolloutPercentInput',
  z.object({ percent }).strict(),
  'input',
);
export const AppRolloutHaltInput = named(
  'AppRolloutHaltInput',
  z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
  'input',
);
export const KillInput = named(
  'AppVersionKillInput',
  z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
  'input',
);

const Figures = z.object({
  targeted: z.number().int().describe('Handsets in the share'),
  queued: z.number().int().describe('Handsets given the install command'),
  installed: z.number().int().describe('Handsets reporting the version'),
  failed: z.number().int().describe('Install commands the handset reported failed'),
  crashing: z.number().int().describe('Handsets reporting crashes of the version'),
  attestationFailures: z.number().int().describe('Handsets that installed it and then failed attestation'),
  attempted: z.number().int(),
  failures: z.number().int(),
  failureRate: z.number(),
});

export const AppRolloutView = named(
  'AppRollout',
  z.object({
    id: z.string(),
    versionId: z.string(),
    appId: z.string(),
    institutionId: z.string(),
    percent: z.number().int(),
    state: z.enum(APP_ROLLOUT_STATES),
    failureThreshold: z.number(),
    minDevices: z.number().int(),
    haltReason: z.string().nullable(),
    createdById: z.string(),
    createdByName: z.string(),
    createdAt: isoDateTime(),
    updatedAt: isoDateTime(),
    figures: Figures.nullable().describe('Weighed from the fleet now (one rollout only; null in lists)'),
  }),
);
export const AppRolloutList = named('AppRolloutList', z.object({ rollouts: z.array(AppRolloutView) }));

export const KillResult = named(
  'AppVersionKillResult',
  z.object({
    versionId: z.string(),
    haltedRollouts: z.array(z.string()),
    institutions: z.array(z.string()).describe('Institutions whose handsets were searched'),
    installsCancelled: z
      .number()
      .int()
      .describe('Install commands of the version that had not reached handsets, cancelled'),
    uninstallsQueued: z.number().int().describe('New uninstall commands (a repeated kill queues none)'),
  }),
);

export type FiguresOut = z.output<typeof Figures>;

export function appRolloutView(r: AppRolloutRow, figures: FiguresOut | null = null) {
  return {
    id: r.id,
    versionId: r.versionId,
    appId: r.appId,
    institutionId: r.institutionId,
    percent: r.percent,
    state: r.state,
    failureThreshold: r.failureThreshold,
    minDevices: r.minDevices,
    haltReason: r.haltReason,
    createdById: r.createdById,
    createdByName: r.createdByName,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    figures,
  };
}
