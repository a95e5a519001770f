import { isRole, type Amr, type Role } from '@pakawaaz/platform';

/**
 * Roles that make sense for one institution (its devices, its apps, its bill). Every other role acts on
 * national infrastructure (the network, SIMs, keys) and may only be held by an operator without an institution.
 */
export const INSTITUTION_SCOPED_ROLES: readonly Role[] = [
  'viewer',
  'device-admin',
  'app-reviewer',
  'billing',
];

/** Roles whose holders must sign in with a passkey (phishing-resistant) to use them. */
export const PASSKEY_ROLES: readonly Role[] = ['super-admin', 'security-officer'];

/**
 * Whether an account acts on national infrastructure (any role outside INSTITUTION_SCOPED_ROLES): removing
 * its second factor takes two administrators.
 */
export function holdsNationalRole(roles: readonly string[]): boolean {
  return roles.some((r) => isRole(r) && !INSTITUTION_SCOPED_ROLES.includes(r));
}

export type RoleProblem = { role: Role; reason: 'national_only' };

/** Which of these roles an account scoped to an institution (or not) may not hold. */
export function roleScopeProblems(roles: readonly Role[], institutionId: string | null): RoleProblem[] {
  if (institutionId === null) return [];
  return roles
    .filter((r) => !INSTITUTION_SCOPED_ROLES.includes(r))
    .map((role) => ({ role, reason: 'national_only' }));
}

/**
 * The roles a session may exercise. With passkey enforcement on, `super-admin` and `security-officer` are
 * withheld unless the sign-in used a passkey (`hwk`); the account keeps them, and they return at the next
 * passkey sign-in.
 */
export function effectiveRoles(
  roles: readonly Role[],
  amr: readonly Amr[],
  enforcePasskeys: boolean,
): { roles: Role[]; withheld: Role[] } {
  // A passkey sign-in is hwk without a password; hwk after a password is the handset's device key.
  const passkey = amr.includes('hwk') && !amr.includes('pwd');
  if (!enforcePasskeys || passkey) return { roles: [...roles], withheld: [] };
  return {
    roles: roles.filter((r) => !PASSKEY_ROLES.includes(r)),
    withheld: roles.filter((r) => PASSKEY_ROLES.includes(r)),
  };
}
