import { named, ROLLOUT_PHASES as PLATFORM_PHASES } from '@pakawaaz/platform';
import { z } from 'zod';
import { INSTITUTION_KINDS, ROLLOUT_PHASES } from './institutions.schema.js';

// The column's phases are the kernel's (the schema file stays free of the platform for drizzle-kit).
const SAME_PHASES: typeof PLATFORM_PHASES = ROLLOUT_PHASES;

const Phase = z.enum(SAME_PHASES);

export const RolloutPlan = named(
  'RolloutPlan',
  z.object({
    phases: z.array(
      z.object({
        phase: Phase,
        /** Capabilities this phase enables for the first time. */
        introduces: z.array(z.string()),
        /** Everything an institution in this phase gets. */
        enables: z.array(z.string()),
        /** Institutions in this phase (of those in the caller's scope). */
        institutions: z.number().int(),
      }),
    ),
    capabilities: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        domain: z.string(),
        firstPhase: Phase,
        /** Set by PAKAWAAZ_ROLLOUT_PLAN rather than the domain's default. */
        overridden: z.boolean(),
      }),
    ),
    institutions: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(INSTITUTION_KINDS),
        phase: Phase,
        nextPhase: Phase.nullable(),
        users: z.number().int(),
      }),
    ),
  }),
);

export const SetRolloutPhase = named(
  'SetRolloutPhase',
  z
    .object({
      phase: Phase,
      /** The phase the operator saw: refused with 409 when the institution moved meanwhile. */
      from: Phase.optional(),
    })
    .strict(),
  'input',
);
