import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { platformError } from '../errors/platform.errors.js';
import type { Amr, Principal, Role } from './principal.js';

export const PUBLIC_ROUTE = 'pakawaaz:public';
export const REQUIRED_ROLES = 'pakawaaz:roles';
export const REQUIRED_AMR = 'pakawaaz:amr';
export const REQUIRED_ANY_AMR = 'pakawaaz:any-amr';
export const ROUTE_SCOPE = 'pakawaaz:route-scope';
export const UNBOUND_SESSION_TOKEN = 'pakawaaz:unbound-session-token';
export const DPOP_SESSION_TOKEN = 'pakawaaz:dpop-session-token';

/**
 * How a route treats institution scope — data, read by the guard, documented per operation in openapi.json
 * (`x-pakawaaz-scope`) and checked at start-up (a non-public route without one stops the server):
 * - `national`: national infrastructure. The guard refuses institution principals (403 national_only) before
 *   the handler runs.
 * - `institution`: rows that belong to institutions. Institution principals pass, and the service keeps
 *   them to their institution's rows (`scopeCondition`, `requireInScope`).
 * - `self`: the caller's own account (profile, factors, sessions). The service acts on the caller only.
 * - `device`: a handset's own routes (`@DeviceRoute()`): authenticated by its device certificate; the service
 *   acts on that device only.
 */
export type RouteScopeKind = 'national' | 'institution' | 'self' | 'device';

/** Classifies a route (on the handler, or the controller for all its handlers; the handler's wins). */
export const RouteScope = (scope: RouteScopeKind) => SetMetadata(ROUTE_SCOPE, scope);

/** The route needs no token (health, login, JWKS, the NOC's static files). Everything else is deny-by-default. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The caller needs at least one of these roles (`super-admin` satisfies every role check). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/**
 * The caller needs some role, whichever (an operator or token, not an official without roles). For routes
 * every role may read: a domain cannot name the roles of domains above it, and need not.
 */
export const AnyRole = () => SetMetadata(REQUIRED_ROLES, 'any');

/** The caller's token must carry every one of these authentication methods (RFC 8176 amr). */
export const RequireAmr = (...amr: Amr[]) => SetMetadata(REQUIRED_AMR, amr);
/** The caller's token must carry at least one of these methods, e.g. a fresh second factor: `otp` or `hwk`. */
export const RequireAnyAmr = (...amr: Amr[]) => SetMetadata(REQUIRED_ANY_AMR, amr);

/**
 * The route takes the sign-in's unbound token of a session bound to a desktop's DPoP key (Principal
 * `sessionDpopBound`), which every other route refuses: logout (a browser must be able to end its session)
 * and the bind itself (re-binding to the same key, with a proof of it).
 */
export const AcceptsUnboundSessionToken = () => SetMetadata(UNBOUND_SESSION_TOKEN, true);

/**
 * The route also takes the session's token bound to a desktop's DPoP key (`Authorization: DPoP`), with a DPoP
 * proof of that key for this request (RFC 9449 §7.1) — outside the device routes: logout, so a bound session can
 * be ended once the sign-in's unbound token has expired. The key's proof is enough (no device management check:
 * a retired desktop may still end its session).
 */
export const AcceptsDpopSessionToken = () => SetMetadata(DPOP_SESSION_TOKEN, true);

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
