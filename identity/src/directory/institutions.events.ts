import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';
import { ROLLOUT_PHASES } from './institutions.schema.js';

/** The institution tree changed (created, renamed, moved, removed): every node's scope cache re-reads it. */
export const InstitutionChanged = defineEvent('identity.institution.changed', z.object({}), {
  examples: [{}],
});

/**
 * An institution moved to another rollout phase (after the commit): what its officials may use changed.
 * For domains that prepare per institution when a capability arrives (a catalogue, chat groups).
 */
export const InstitutionPhaseChanged = defineEvent(
  'identity.institution.rollout-phase-changed',
  z.object({
    institutionId: z.string(),
    name: z.string(),
    from: z.enum(ROLLOUT_PHASES),
    to: z.enum(ROLLOUT_PHASES),
    changedAt: z.iso.datetime(),
  }),
  {
    examples: [
      {
        institutionId: '6f1c2a3e-1b2c-4d5e-8f90-123456789abc',
        name: 'Ministry of Finance',
        from: 'pilot',
        to: 'federal-ministries',
        changedAt: '2026-12-04T06:00:00.000Z',
      },
    ],
  },
);

export const INSTITUTION_SCOPES_CONSUMER = defineConsumer({
  name: 'identity.institution-scopes',
  delivery: 'broadcast',
  filter: InstitutionChanged.type,
  expects: [InstitutionChanged],
});
