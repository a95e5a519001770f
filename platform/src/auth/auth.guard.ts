import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { platformError } from '../errors/platform.errors.js';
import {
  PUBLIC_ROUTE,
  REQUIRED_AMR,
  REQUIRED_ANY_AMR,
  REQUIRED_ROLES,
  type AuthenticatedRequest,
} from './auth.decorators.js';
import type { Amr, Principal, Role } from './principal.js';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,4096})$/;

/** Global guard: authenticate every non-public route, then enforce @Roles and @RequireAmr. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
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
    assertRoles(principal, this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets));
    assertAmr(principal, this.reflector.getAllAndOverride<Amr[] | undefined>(REQUIRED_AMR, targets));
    assertAnyAmr(principal, this.reflector.getAllAndOverride<Amr[] | undefined>(REQUIRED_ANY_AMR, targets));
    return true;
  }
}

export function hasRole(principal: Principal, roles: readonly Role[]): boolean {
  return principal.roles.includes('super-admin') || roles.some((r) => principal.roles.includes(r));
}

function assertRoles(principal: Principal, roles: Role[] | undefined): void {
  if (roles && roles.length > 0 && !hasRole(principal, roles)) {
    throw platformError('forbidden', `This needs one of the roles: ${roles.join(', ')}.`);
  }
}

function assertAmr(principal: Principal, amr: Amr[] | undefined): void {
  const missing = (amr ?? []).filter((m) => !principal.amr.includes(m));
  if (missing.length > 0) {
    throw platformError('insufficient_authentication', `Sign in again with: ${missing.join(', ')}.`);
  }
}

function assertAnyAmr(principal: Principal, amr: Amr[] | undefined): void {
  if (amr && amr.length > 0 && !amr.some((m) => principal.amr.includes(m))) {
    throw platformError('insufficient_authentication', `Sign in again with one of: ${amr.join(', ')}.`);
  }
}
