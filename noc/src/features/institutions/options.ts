import type { Institution } from '../../identity';

export type Phase = NonNullable<Institution['rolloutPhase']>;
export type Scope = NonNullable<Institution['directoryScope']>;

export const PHASES: readonly { value: Phase; label: string }[] = [
  { value: 'pilot', label: 'pilot' },
  { value: 'federal-ministries', label: 'federal ministries' },
  { value: 'nationwide', label: 'nationwide' },
];

/** What an official of the institution finds in the directory. */
export const SCOPES: readonly { value: Scope; label: string }[] = [
  { value: 'own', label: 'own institution only' },
  { value: 'hierarchy', label: 'its ministry and departments' },
  { value: 'all', label: 'every institution' },
];

export const PHASE_TONE = { pilot: 'warn', 'federal-ministries': 'neutral', nationwide: 'good' } as const;
