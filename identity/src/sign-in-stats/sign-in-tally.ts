/**
 * Sign-in outcomes by factor over time, in fixed buckets kept in a bounded ring (pure: no clock, no I/O).
 * Factors use the RFC 8176 vocabulary of the sessions (`pwd`, `otp`, `hwk`, `sim`) plus `radius` for the
 * combined password+code of a RADIUS PAP request, so a success and a failure of the same factor line up.
 */
export type SignInFactor = 'pwd' | 'otp' | 'hwk' | 'sim' | 'radius';
export type SignInOutcome = 'succeeded' | 'failed';
export type TallyRow = { at: Date; factor: SignInFactor; succeeded: number; failed: number };

export const SIGN_IN_FACTORS: readonly SignInFactor[] = ['pwd', 'otp', 'hwk', 'sim', 'radius'];

/**
 * The factor of a failed step as LoginFailures names it (`password`, `totp:invalid`, `recovery-code`,
 * `passkey`, `sim:…`, `device…`, `radius-pap:…`); null for a name this table does not know.
 */
export function failedFactor(step: string): SignInFactor | null {
  const name = step.split(':')[0] ?? '';
  if (name === 'password' || name === 'password-after-factor') return 'pwd';
  if (name === 'totp' || name === 'recovery-code') return 'otp';
  if (name === 'passkey' || name.startsWith('device')) return 'hwk';
  if (name === 'sim') return 'sim';
  if (name === 'radius-pap') return 'radius';
  return null;
}

/** The factors of a completed sign-in, from its amr (`mfa` only says there were several). */
export function succeededFactors(amr: readonly string[]): SignInFactor[] {
  return SIGN_IN_FACTORS.filter((f) => f !== 'radius' && amr.includes(f));
}

type Bucket = { start: number; counts: Map<SignInFactor, { succeeded: number; failed: number }> };

export class SignInTally {
  private readonly buckets: Bucket[] = [];

  /** `bucketMs` wide buckets, at most `keep` of them (the default: 5 minutes × 288 = 24 hours). */
  constructor(
    readonly bucketMs = 5 * 60_000,
    readonly keep = 288,
  ) {}

  record(factor: SignInFactor, outcome: SignInOutcome, at: number): void {
    const start = at - (at % this.bucketMs);
    let bucket = this.buckets.at(-1);
    if (!bucket || bucket.start < start) {
      bucket = { start, counts: new Map() };
      this.buckets.push(bucket);
      if (this.buckets.length > this.keep) this.buckets.splice(0, this.buckets.length - this.keep);
    } else if (bucket.start > start) {
      // A late record (clock stepped back): counted in its own bucket if still kept, else dropped.
      const found = this.buckets.find((b) => b.start === start);
      if (!found) return;
      bucket = found;
    }
    const counts = bucket.counts.get(factor) ?? { succeeded: 0, failed: 0 };
    counts[outcome] += 1;
    bucket.counts.set(factor, counts);
  }

  /** Non-zero counts of the buckets that start at or after `since`, oldest first. */
  rows(since = 0): TallyRow[] {
    return this.buckets
      .filter((b) => b.start >= since - (since % this.bucketMs))
      .flatMap((b) =>
        [...b.counts.entries()].map(([factor, c]) => ({ at: new Date(b.start), factor, ...c })),
      );
  }
}
