import type { Amr } from '@pakawaaz/platform';
import { acrFor, atLeast, type Acr } from '../sessions/session-policy.js';

/**
 * Steps a sign-in can take next: second factors after the password, or — after a possession factor proved
 * first (SIM or device) — the password itself.
 */
export type FactorName = 'password' | 'totp' | 'recovery-code' | 'sim' | 'device';

/** Factors that cannot be guessed (a challenge answered with a key the attacker does not hold). */
export const POSSESSION_AMR: readonly Amr[] = ['sim', 'hwk'];

export type AccountFactors = {
  readonly kind: 'official' | 'operator';
  readonly totp: boolean;
  readonly recoveryCodes: boolean;
  /** An active SIM is assigned to this account (officials): the SIM factor can be offered. */
  readonly sim: boolean;
  /**
   * A SIM is assigned, active or barred — or this node cannot tell (core-network not served here). A barred
   * SIM (a lost handset) must not turn the account into a password-only one.
   */
  readonly simAssigned: boolean;
  /** Device certificates can be checked on this node (device-mgmt's CA is wired). */
  readonly device: boolean;
};

/**
 * The floor every sign-in must reach, whatever the client asks for: an account with TOTP must prove it
 * (or its recovery code), and an official who was issued a SIM — even one barred since — must prove the
 * SIM, TOTP or the attested device. Each group is
 * "one of these methods". Passkey sign-ins (hwk + mfa) satisfy every floor.
 */
export function requiredMethods(a: AccountFactors): Amr[][] {
  if (a.totp) return [['otp']];
  if (a.kind === 'official' && (a.sim || a.simAssigned)) return [['sim', 'otp', 'hwk']];
  return [];
}

export type LoginProgress =
  { readonly done: true; readonly acr: Acr } | { readonly done: false; readonly factors: FactorName[] };

/**
 * Whether `amr` completes a sign-in that asked for at least `wanted`, and otherwise which factors could
 * still be added. An unreachable request (say aal3 without SIM and device) has an empty factor list.
 */
export function loginProgress(a: AccountFactors, amr: readonly Amr[], wanted: Acr): LoginProgress {
  const acr = acrFor(amr);
  // A passkey sign-in is hwk with user verification (mfa) and no password; a device key proven before the
  // password (hwk alone) is not one.
  const passkey = amr.includes('hwk') && amr.includes('mfa') && !amr.includes('pwd');
  const floor = passkey || requiredMethods(a).every((group) => group.some((m) => amr.includes(m)));
  if (acr && floor && atLeast(acr, wanted)) return { done: true, acr };
  // Possession first: once the SIM or the device proved itself, the password comes next, and nothing else.
  if (!passkey && !amr.includes('pwd'))
    return { done: false, factors: amr.some((m) => POSSESSION_AMR.includes(m)) ? ['password'] : [] };
  const factors: FactorName[] = [];
  if (a.totp && !amr.includes('otp'))
    factors.push('totp', ...(a.recoveryCodes ? (['recovery-code'] as const) : []));
  if (a.sim && !amr.includes('sim')) factors.push('sim');
  if (a.device && a.kind === 'official' && !amr.includes('hwk')) factors.push('device');
  return { done: false, factors };
}

export type PasswordStepState = {
  readonly passwordClosedAt: Date | null;
  readonly failedLogins: number;
};

/**
 * Whether the password may be checked in this sign-in (docs/decisions/0008-lockout-model.md). Below the
 * guess limit, always. Once the limit closed the password step, only after a possession factor proved
 * itself in the same sign-in — and only until as many further failures again were counted behind such a
 * factor (someone holding the SIM or the device is guessing): then only an administrator reopens it.
 */
export function passwordCheckAllowed(user: PasswordStepState, amr: readonly Amr[], limit: number): boolean {
  if (user.passwordClosedAt === null) return true;
  const possession = amr.some((m) => POSSESSION_AMR.includes(m));
  return possession && user.failedLogins < 2 * limit;
}
