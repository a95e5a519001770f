import { roleDefinition, rolesAllowedIn, type Amr, type Role } from '@pakawaaz/platform';
import { identityError } from '../identity.errors.js';

/*
 * Role rules as identity applies them, from the kernel's registry: each domain registers its roles with
 * their scope (whether an operator of an institution may hold it) and whether it needs a passkey.
 */

/** Whether holders of this role must sign in with a passkey (phishing-resistant) to use it. */
export const needsPasskey = (role: string): boolean => roleDefinition(role)?.passkey === true;

/**
 * Whether an account acts on national infrastructure (any registered role an institution may not hold):
 * removing its second factor takes two administrators.
 */
export function holdsNationalRole(roles: readonly string[]): boolean {
  return roles.some((r) => roleDefinition(r)?.scope === 'national');
}

export type RoleProblem = { role: Role; reason: 'national_only' };

/** Which of these roles an account (or API token) placed in an institution — or not — may not hold. */
export function roleScopeProblems(roles: readonly Role[], institutionId: string | null): RoleProblem[] {
  const allowed = rolesAllowedIn(roles, institutionId);
  return roles.filter((r) => !allowed.includes(r)).map((role) => ({ role, reason: 'national_only' }));
}

/** Refuses roles that an account or API token placed in an institution (or not) may not hold. */
export function requireRolesAllowedIn(roles: readonly Role[], institutionId: string | null): void {
  const problems = roleScopeProblems(roles, institutionId);
  if (problems.length)
    throw identityError(
      'role_scope',
      `These roles act on national infrastructure and cannot be held inside an institution: ${problems.map((p) => p.role).join(', ')}.`,
    );
}

/**
 * The roles a session may exercise. With the operator MFA policy on (PAKAWAAZ_REQUIRE_OPERATOR_MFA), an
 * operator without a second factor (TOTP or a passkey) gets none: the session can only enrol one (My
 * account), and the roles return with the next token. With passkey enforcement on, the passkey roles (`super-admin`,
 * `security-officer`) are withheld unless the sign-in used a passkey (`hwk`); the account keeps them, and
 * they return at the next passkey sign-in.
 */
export function effectiveRoles(
  roles: readonly Role[],
  amr: readonly Amr[],
  enforcePasskeys: boolean,
  secondFactorMissing = false,
): { roles: Role[]; withheld: Role[] } {
  if (secondFactorMissing) return { roles: [], withheld: [...roles] };
  // A passkey sign-in is hwk without a password; hwk after a password is the handset's device key.
  const passkey = amr.includes('hwk') && !amr.includes('pwd');
  if (!enforcePasskeys || passkey) return { roles: [...roles], withheld: [] };
  return {
    roles: roles.filter((r) => !needsPasskey(r)),
    withheld: roles.filter(needsPasskey),
  };
}
