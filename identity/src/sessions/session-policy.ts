import type { Amr } from '@pakawaaz/platform';

/** NIST SP 800-63B authenticator assurance levels, as carried in the `acr` claim. */
export type Acr = 'aal1' | 'aal2' | 'aal3';
export const ACR_ORDER: readonly Acr[] = ['aal1', 'aal2', 'aal3'];

/**
 * Reauthentication limits (NIST SP 800-63B §4.1.3/4.2.3/4.3.3): AAL2 30 min idle and 12 h in all, AAL3 15 min
 * and 12 h. AAL1 gets AAL2's limits: it is a NOC operator's password-only session, not a consumer login.
 */
export const SESSION_LIMITS = {
  aal1: { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 },
  aal2: { idleSeconds: 30 * 60, absoluteSeconds: 12 * 3600 },
  aal3: { idleSeconds: 15 * 60, absoluteSeconds: 12 * 3600 },
} as const satisfies Record<Acr, { idleSeconds: number; absoluteSeconds: number }>;

/**
 * The assurance level a set of authentication methods reaches (the table): password + SIM +
 * attested device key (pwd + sim + hwk) or a user-verified passkey (hwk + mfa, no password) is AAL3;
 * password plus TOTP, SIM or device is AAL2; a password alone is AAL1. `null` when nothing a session can rest
 * on was proven (a second factor without the first).
 */
export function acrFor(amr: readonly Amr[]): Acr | null {
  const has = (m: Amr) => amr.includes(m);
  if (has('pwd')) {
    if (has('sim') && has('hwk')) return 'aal3';
    return has('otp') || has('sim') || has('hwk') ? 'aal2' : 'aal1';
  }
  if (has('hwk') && has('mfa')) return 'aal3';
  return null;
}

export const atLeast = (acr: Acr | null, wanted: Acr): boolean =>
  acr !== null && ACR_ORDER.indexOf(acr) >= ACR_ORDER.indexOf(wanted);

/** Adds `mfa` (RFC 8176: multiple-factor authentication) once two different factors are present. */
export function withMfa(amr: readonly Amr[]): Amr[] {
  const factors = new Set(amr.filter((m) => m !== 'mfa'));
  const kinds = new Set([...factors].map((m) => (m === 'pwd' ? 'know' : 'have')));
  return kinds.size > 1 || amr.includes('mfa') ? [...factors, 'mfa'] : [...factors];
}

export type SessionClock = { createdAt: Date; lastSeenAt: Date; idleTimeoutSeconds: number; expiresAt: Date };

/** Why a session can no longer be used at `now`, or null while it is alive. */
export function sessionEnded(s: SessionClock, now: Date): 'expired' | 'idle' | null {
  if (now >= s.expiresAt) return 'expired';
  if (now.getTime() - s.lastSeenAt.getTime() > s.idleTimeoutSeconds * 1000) return 'idle';
  return null;
}
