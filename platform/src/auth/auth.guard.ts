import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { platformError } from '../errors/platform.errors.js';
import type { AuthenticatedRequest } from './auth.decorators.js';
import type { Amr, Principal, Role } from './principal.js';
import { routeAccess } from './route-access.js';
import { requireNational } from './scope.js';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,4096})$/;

/**
 * Global guard: authenticate every non-public route, refuse institution principals on `national` routes,
 * then enforce @Roles/@AnyRole and @RequireAmr. A route without a classification is treated as national
 * (fail closed) — the start-up check (RouteScopeCheck) makes that a programming error anyway.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = routeAccess(this.reflector, ctx.getHandler(), ctx.getClass());
    if (access.public) return true;
    const request = ctx
      .switchToHttp()
      .getRequest<AuthenticatedRequest & { headers: Record<string, string | undefined> }>();
    const match = BEARER.exec(request.headers.authorization ?? '');
    const principal = match?.[1] ? await this.verifier.verify(match[1]) : null;
    if (!principal)
      throw platformError(
        'unauthenticated',
        'Sign in again: the bearer token is missing, invalid or expired.',
      );
    request.principal = principal;
    // Scope before roles: an institution's principal learns only that the route is national.
    if ((access.scope ?? 'national') === 'national') requireNational(principal);
    assertRoles(principal, access.roles);
    assertAmr(principal, access.amr);
    assertAnyAmr(principal, access.anyAmr);
    return true;
  }
}

export function hasRole(principal: Pick<Principal, 'roles'>, roles: readonly Role[]): boolean {
  return principal.roles.includes('super-admin') || roles.some((r) => principal.roles.includes(r));
}

/** The caller needs one of these roles: first line of a service method (the guard checks @Roles too). */
export function requireRole(principal: Pick<Principal, 'roles'>, ...roles: Role[]): void {
  if (!hasRole(principal, roles))
    throw platformError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
}

function assertRoles(principal: Principal, roles: readonly Role[] | 'any' | undefined): void {
  if (roles === 'any') {
    if (principal.roles.length === 0)
      throw platformError('forbidden', 'This needs an operator role; your account holds none.');
    return;
  }
  if (roles && roles.length > 0) requireRole(principal, ...roles);
}

function assertAmr(principal: Principal, amr: readonly Amr[] | undefined): void {
  const missing = (amr ?? []).filter((m) => !principal.amr.includes(m));
  if (missing.length > 0) {
    throw platformError('insufficient_authentication', `Sign in again with: ${missing.join(', ')}.`);
  }
}

function assertAnyAmr(principal: Principal, amr: readonly Amr[] | undefined): void {
  if (amr && amr.length > 0 && !amr.some((m) => principal.amr.includes(m))) {
    throw platformError('insufficient_authentication', `Sign in again with one of: ${amr.join(', ')}.`);
  }
}
