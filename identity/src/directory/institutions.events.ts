import { defineConsumer, defineEvent } from '@pakawaaz/platform';
import { z } from 'zod';

/** The institution tree changed (created, renamed, moved, removed): every node's scope cache re-reads it. */
export const InstitutionChanged = defineEvent('identity.institution.changed', z.object({}), {
  examples: [{}],
});

export const INSTITUTION_SCOPES_CONSUMER = defineConsumer({
  name: 'identity.institution-scopes',
  delivery: 'broadcast',
  filter: InstitutionChanged.type,
  expects: [InstitutionChanged],
});
