import { hasRole, platformError, type Principal, type Role } from '@pakawaaz/platform';

/** What an authenticated caller is doing, for authorization and the audit log. */
export type Ctx = { readonly principal: Principal; readonly requestId: string | null };

/** The caller needs one of these roles; first line of each service method (the guard checks them too). */
export function requireRole(principal: Principal, ...roles: Role[]): void {
  if (!hasRole(principal, roles))
    throw platformError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
}

/** National operators (no institution) act everywhere; institution-scoped ones only inside their institution. */
export function scopeOf(principal: Principal): string | null {
  return principal.roles.includes('super-admin') ? null : principal.institutionId;
}

export function requireInScope(principal: Principal, institutionId: string | null): void {
  const scope = scopeOf(principal);
  if (scope !== null && scope !== institutionId)
    throw platformError('forbidden', 'This belongs to another institution than yours.');
}

export function requireNational(principal: Principal): void {
  if (scopeOf(principal) !== null)
    throw platformError('forbidden', 'Only national operators (without an institution) may do this.');
}
