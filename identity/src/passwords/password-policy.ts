import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * Password rules after NIST SP 800-63B §3.1.1: length is what counts (no composition rules), and a password
 * found in a list of common or breached passwords, or built from the account's own name, is refused.
 * 12 characters is stricter than NIST's 8 for multi-factor use: operators may sign in with a password alone.
 * 64 characters (NIST's floor for the maximum) also keeps password + 6-digit code inside RADIUS PAP's 128 bytes.
 */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 64;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'contains_name' | 'repetitive';

export const PASSWORD_PROBLEM_MESSAGES = {
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters; a few unrelated words make a good password.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  common: 'This password is on a list of common or breached passwords: choose another.',
  contains_name: 'The password must not contain the username, the person’s name or the product name.',
  repetitive: 'The password is a repeated or sequential pattern: choose another.',
} as const satisfies Record<PasswordProblem, string>;

/** 49k common passwords (zxcvbn's list, built from breach corpora), lower-case. */
const COMMON = new Set(dictionary['passwords-common']);
const CONTEXT_WORDS = ['pakawaaz'];
/** Characters people pad a weak base word with: "Password2026!" is still "password". */
const PADDING = /^[\d\W_]+|[\d\W_]+$/gu;

/** NFKC, as NIST asks, so the same password typed on two keyboards hashes the same. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

export function checkPassword(
  password: string,
  context: { username?: string | undefined; displayName?: string | undefined } = {},
): PasswordProblem | null {
  const p = normalisePassword(password);
  const length = [...p].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = p.toLowerCase();
  const base = lower.replace(PADDING, '');
  if (COMMON.has(lower) || (base.length >= 4 && COMMON.has(base))) return 'common';
  if (containsName(lower, context)) return 'contains_name';
  if (isRepetitive(lower)) return 'repetitive';
  return null;
}

function containsName(
  lower: string,
  context: { username?: string | undefined; displayName?: string | undefined },
) {
  const words = [
    ...CONTEXT_WORDS,
    context.username?.toLowerCase(),
    ...(context.displayName?.toLowerCase().split(/\s+/) ?? []),
  ].filter((w): w is string => !!w && w.length >= 4);
  return words.some((w) => lower.includes(w));
}

/** One character or a short block repeated ("abcabcabcabc"), or a run of consecutive code points. */
function isRepetitive(lower: string): boolean {
  for (let block = 1; block <= 4; block++) {
    const unit = lower.slice(0, block);
    if (unit.repeat(Math.ceil(lower.length / block)).slice(0, lower.length) === lower) return true;
  }
  const codes = [...lower].map((c) => c.codePointAt(0) ?? 0);
  // Digits wrap around ("…7890123" is still a run), so 9→0 counts as +1 and 0→9 as -1.
  const step = (a: number, b: number) =>
    /\d\d/.test(String.fromCodePoint(a, b)) ? ((b - a + 15) % 10) - 5 : b - a;
  const steps = new Set(codes.slice(1).map((c, i) => step(codes[i] ?? 0, c)));
  return steps.size === 1 && [...steps].every((s) => Math.abs(s) === 1);
}
