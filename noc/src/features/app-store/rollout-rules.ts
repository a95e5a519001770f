// Pure helpers of the app rollout pages: what an operator may do to a rollout, how its failure rate reads
// against the automatic halt's threshold, and what to do about a refusal.

// Imported from the client package, not ../../api/client (which binds to the window): these are pure.
import { ApiError, asApiError, type Schemas } from '@pakawaaz/api-client';

export type AppRollout = Schemas['AppRollout'];
export type AppRolloutFigures = NonNullable<AppRollout['figures']>;

/**
 * What an operator should do about a refusal of the rollout routes, by the server's stable code: the
 * server's own message says what went wrong, this says what to do next. Codes not listed keep the
 * server's message alone.
 */
const ADVICE: Record<string, string> = {
  rollout_exists:
    'This app already has a running or paused rollout in that institution: halt it or let it complete, then start a new one (or widen the existing one).',
  version_not_rollable:
    'Only an approved stable or beta version that the institution’s catalogue offers can be rolled out: pick another version or institution (pilot versions are installed by hand).',
  percent_not_increasing:
    'A rollout only widens: enter a higher percentage than it has now (halt it to stop it).',
  rollout_state_conflict:
    'The rollout changed meanwhile (or it is halted or completed): refresh the page to see where it stands.',
  fleet_unavailable:
    'This server has no device management bound, so nothing can be installed or uninstalled: run the action on a node that serves device management.',
  rollout_not_found: 'The rollout no longer exists or is outside your institution: go back to the list.',
  app_version_not_found:
    'The version no longer exists or is outside your institution: refresh the apps and pick again.',
  outside_institution_scope:
    'You act for your own institution only: pick your institution, or ask a national reviewer.',
  version_not_withdrawable:
    'Only a version in review or approved can be withdrawn: this one is already out of the catalogues.',
};

/** The failure in words with what to do next, keeping its code, status and request id for support. */
export function withAdvice(error: unknown): ApiError {
  const e = asApiError(error);
  const advice = ADVICE[e.code];
  if (!advice) return e;
  return new ApiError(e.status, e.code, `${e.message} ${advice}`, e.requestId, e.issues, {
    details: e.details,
    cause: error,
  });
}

/** Which buttons a running, paused, halted or completed rollout has (a halt and a completion are final). */
export function rolloutActions(state: AppRollout['state']): {
  widen: boolean;
  pause: boolean;
  resume: boolean;
  halt: boolean;
} {
  const active = state === 'running' || state === 'paused';
  return { widen: active, pause: state === 'running', resume: state === 'paused', halt: active };
}

/** The percentages a rollout at `current` may widen to: only up, to 100 at most. */
export function widenChoices(current: number): number[] {
  return [5, 10, 25, 50, 75, 100].filter((p) => p > current);
}

/** A percentage the operator typed, as the API takes it (an integer 1–100), or null. */
export function parsePercent(text: string, above = 0): number | null {
  if (!/^\d{1,3}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= 1 && n <= 100 && n > above ? n : null;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The failure rate against the threshold, as the automatic halt weighs it: nothing is weighed until
 * `minDevices` handsets were attempted.
 */
export function failureRateText(
  f: AppRolloutFigures,
  threshold: number,
  minDevices: number,
): { text: string; over: boolean } {
  if (f.attempted === 0)
    return { text: `no handset attempted yet (threshold ${pct(threshold)})`, over: false };
  const rate = `${pct(f.failureRate)} (${f.failures} of ${f.attempted} attempted)`;
  if (f.attempted < minDevices)
    return {
      text: `${rate}: weighed from ${minDevices} attempted handsets, threshold ${pct(threshold)}`,
      over: false,
    };
  const over = f.failureRate > threshold;
  return { text: `${rate} ${over ? 'over' : 'within'} the threshold of ${pct(threshold)}`, over };
}

/** "gov.pk.mail 2.1 (42)": a version as people read it. */
export function versionLabel(v: { versionCode: number; versionName: string | null }): string {
  return v.versionName ? `${v.versionName} (${v.versionCode})` : `code ${v.versionCode}`;
}
