import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { platformError } from '../errors/platform.errors.js';
import type { Amr, Principal, Role } from './principal.js';

export const PUBLIC_ROUTE = 'pakawaaz:public';
export const REQUIRED_ROLES = 'pakawaaz:roles';
export const REQUIRED_AMR = 'pakawaaz:amr';
export const REQUIRED_ANY_AMR = 'pakawaaz:any-amr';

/** The route needs no token (health, login, JWKS, the NOC's static files). Everything else is deny-by-default. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The caller needs at least one of these roles (`super-admin` satisfies every role check). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** The caller's token must carry every one of these authentication methods (RFC 8176 amr). */
export const RequireAmr = (...amr: Amr[]) => SetMetadata(REQUIRED_AMR, amr);
/** The caller's token must carry at least one of these methods, e.g. a fresh second factor: `otp` or `hwk`. */
export const RequireAnyAmr = (...amr: Amr[]) => SetMetadata(REQUIRED_ANY_AMR, amr);

export type AuthenticatedRequest = { principal?: Principal; id: string };

/** Injects the authenticated principal; the guard has already rejected anonymous callers. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw platformError('unauthenticated', 'Authentication is required.');
  return principal;
});

/** Injects the request id (echoed as X-Request-Id), for audit entries. */
export const RequestId = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AuthenticatedRequest>().id,
);
