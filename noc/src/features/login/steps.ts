import type { Schemas } from '../../api/client';

export type LoginStep = Schemas['LoginStep'];
export type Authenticated = Extract<LoginStep, { status: 'authenticated' }>;
export type CodeMethod = 'totp' | 'recovery-code';

type Enrolment = Extract<LoginStep, { status: 'totp_enrolment_required' }>['enrolment'];

/**
 * Where the sign-in stands: the password, a second factor, the password change an administrator forced,
 * the new authenticator an administrator's factor reset asks for, and its recovery codes (shown once).
 */
export type Step =
  | { kind: 'password' }
  | { kind: 'code'; ticket: string; methods: readonly CodeMethod[]; method: CodeMethod }
  | { kind: 'new-password'; ticket: string }
  | { kind: 'enrol'; ticket: string; enrolment: Enrolment }
  | { kind: 'recovery-codes'; result: Authenticated; codes: readonly string[] };

export const PASSWORD_STEP: Step = { kind: 'password' };

/** The second factors a browser can offer; a SIM or device factor belongs to a handset. */
export function codeMethods(factors: readonly string[]): CodeMethod[] {
  return (['totp', 'recovery-code'] as const).filter((m) => factors.includes(m));
}
