import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import {
  AcceptsUnboundSessionToken,
  AnyRole,
  Public,
  RequireAmr,
  RequireAnyAmr,
  Roles,
  RouteScope,
  type AuthenticatedRequest,
} from './auth.decorators.js';
import { AuthGuard, hasRole } from './auth.guard.js';
import type { ActorKind, Amr, Principal, Role } from './principal.js';
import { institutionScope, NATIONAL_SCOPE } from './scope.js';
import type { TokenVerifier } from './token-verifier.js';

// The kernel names no domain's roles or amr values; the spec stands in for the domains with these.
const NETWORK_ADMIN = 'network-admin' as Role;
const SECURITY_OFFICER = 'security-officer' as Role;
const BILLING = 'billing' as Role;
const PWD = 'pwd' as Amr;
const OTP = 'otp' as Amr;
const HWK = 'hwk' as Amr;
const OPERATOR = 'operator' as ActorKind;

const OPERATOR_TOKEN = 'operator-token-aaaaaaaaaaaaaaaa';
const ADMIN_TOKEN = 'super-admin-token-bbbbbbbbbbbbbbbb';
const MFA_TOKEN = 'mfa-operator-token-cccccccccccccccc';
const INSTITUTION_TOKEN = 'ministry-viewer-token-dddddddddddddddd';
const OFFICIAL_TOKEN = 'official-token-eeeeeeeeeeeeeeee';
/** The sign-in's unbound token of a session bound to a desktop's DPoP key since. */
const BOUND_SESSION_TOKEN = 'bound-session-sign-in-token-ffffffff';

function principal(
  name: string,
  roles: Principal['roles'],
  amr: Principal['amr'],
  institutionId: string | null = null,
): Principal {
  return {
    actor: { type: OPERATOR, id: `id-${name}` },
    name,
    roles,
    institutionId,
    scope: institutionId ? institutionScope([institutionId]) : NATIONAL_SCOPE,
    amr,
    acr: 'aal1',
    tokenId: `jti-${name}`,
  };
}

const PRINCIPALS: Record<string, Principal> = {
  [OPERATOR_TOKEN]: principal('viewer-vic', ['viewer'], [PWD]),
  [ADMIN_TOKEN]: principal('root', ['super-admin'], [PWD]),
  [MFA_TOKEN]: principal('net-nia', [NETWORK_ADMIN], [PWD, OTP]),
  [INSTITUTION_TOKEN]: principal('interior-ina', ['viewer'], [PWD, OTP], 'inst-interior'),
  [OFFICIAL_TOKEN]: principal('official-ola', [], [PWD, OTP], 'inst-interior'),
  [BOUND_SESSION_TOKEN]: {
    ...principal('official-bea', [], [PWD], 'inst-interior'),
    sessionId: 'sid-bea',
    sessionDpopBound: true,
  },
};

/** The TokenVerifier port, implemented over a fixed table; it records what it was asked. */
class TableVerifier implements TokenVerifier {
  readonly seen: string[] = [];
  verify(token: string): Promise<Principal | null> {
    this.seen.push(token);
    return Promise.resolve(PRINCIPALS[token] ?? null);
  }
}

@Roles('viewer')
@RouteScope('institution')
class SimsController {
  @Public()
  health(): void {}

  list(): void {}

  @Roles(NETWORK_ADMIN)
  bar(): void {}

  @Roles(NETWORK_ADMIN, SECURITY_OFFICER)
  wipe(): void {}

  @RequireAmr(OTP)
  exportKeys(): void {}

  @Roles(NETWORK_ADMIN)
  @RequireAmr(OTP)
  rotateKeys(): void {}

  @RouteScope('national')
  @Roles('viewer')
  nationalReport(): void {}
}

@RouteScope('self')
class FactorsController {
  @RequireAnyAmr(OTP, HWK)
  manage(): void {}

  profile(): void {}
}

@AnyRole()
class StatusController {
  @RouteScope('national')
  status(): void {}

  @RouteScope('institution')
  overview(): void {}

  /** Nobody classified this one: the guard treats it as national (the start-up check refuses it anyway). */
  forgotten(): void {}
}

@RouteScope('self')
class AccountController {
  @AcceptsUnboundSessionToken()
  logout(): void {}

  me(): void {}
}

@Public()
class JwksController {
  keys(): void {}
}

type Request = AuthenticatedRequest & { headers: Record<string, string | undefined> };

function setup() {
  const verifier = new TableVerifier();
  const guard = new AuthGuard(new Reflector(), verifier);
  const run = async <C extends object>(
    controller: new () => C,
    method: keyof C & string,
    authorization?: string,
  ) => {
    const request: Request = { id: 'req-1', headers: authorization === undefined ? {} : { authorization } };
    const handler = (controller.prototype as C)[method] as (...args: unknown[]) => unknown;
    const ctx = new ExecutionContextHost([request, {}, undefined], controller, handler);
    ctx.setType('http');
    const allowed = await guard.canActivate(ctx);
    return { allowed, request };
  };
  return { verifier, run };
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected the guard to reject');
}

describe('AuthGuard', () => {
  it('lets a @Public() route through without a token and without asking the verifier', async () => {
    const { run, verifier } = setup();
    expect((await run(SimsController, 'health')).allowed).toBe(true);
    expect((await run(JwksController, 'keys')).allowed).toBe(true);
    expect(verifier.seen).toEqual([]);
  });

  it('denies by default: a route without decorators still needs a token', async () => {
    const { run } = setup();
    const err = await rejection(run(SimsController, 'list'));
    expect(err.code).toBe('unauthenticated');
    expect(err.status).toBe(401);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${OPERATOR_TOKEN}`],
    ['no space', `Bearer${OPERATOR_TOKEN}`],
    ['an empty bearer', 'Bearer '],
    ['a too-short token', 'Bearer abc'],
    ['characters outside the token alphabet', `Bearer ${OPERATOR_TOKEN}\n`],
    ['two tokens', `Bearer ${OPERATOR_TOKEN} ${OPERATOR_TOKEN}`],
  ])('rejects %s with 401 unauthenticated without calling the verifier', async (_name, authorization) => {
    const { run, verifier } = setup();
    const err = await rejection(run(SimsController, 'list', authorization));
    expect(err.code).toBe('unauthenticated');
    expect(err.status).toBe(401);
    expect(verifier.seen).toEqual([]);
  });

  it('rejects a well-formed token the verifier does not accept with the same 401 as a missing one', async () => {
    const { run, verifier } = setup();
    const unknown = await rejection(run(SimsController, 'list', 'Bearer unknown-token-ffffffffffffffff'));
    const missing = await rejection(run(SimsController, 'list'));
    expect(verifier.seen).toEqual(['unknown-token-ffffffffffffffff']);
    expect(unknown.code).toBe('unauthenticated');
    expect(unknown.status).toBe(401);
    expect(unknown.message).toBe(missing.message);
  });

  it('attaches the verified principal to the request', async () => {
    const { run, verifier } = setup();
    const { allowed, request } = await run(SimsController, 'list', `Bearer ${OPERATOR_TOKEN}`);
    expect(allowed).toBe(true);
    expect(verifier.seen).toEqual([OPERATOR_TOKEN]);
    expect(request.principal).toBe(PRINCIPALS[OPERATOR_TOKEN]);
  });

  it('enforces the class-level @Roles when the method has none', async () => {
    const { run } = setup();
    expect((await run(SimsController, 'list', `Bearer ${OPERATOR_TOKEN}`)).allowed).toBe(true);
    // net-nia has network-admin only, not the class-wide viewer role.
    const err = await rejection(run(SimsController, 'list', `Bearer ${MFA_TOKEN}`));
    expect(err.code).toBe('forbidden');
  });

  it('lets a method @Roles override the class one and rejects a caller without it with 403 forbidden', async () => {
    const { run } = setup();
    const err = await rejection(run(SimsController, 'bar', `Bearer ${OPERATOR_TOKEN}`));
    expect(err.code).toBe('forbidden');
    expect(err.status).toBe(403);
    expect(err.message).toContain('network-admin');
    expect((await run(SimsController, 'bar', `Bearer ${MFA_TOKEN}`)).allowed).toBe(true);
  });

  it('accepts any one of several roles', async () => {
    const { run } = setup();
    expect((await run(SimsController, 'wipe', `Bearer ${MFA_TOKEN}`)).allowed).toBe(true);
    expect((await rejection(run(SimsController, 'wipe', `Bearer ${OPERATOR_TOKEN}`))).code).toBe('forbidden');
  });

  it('lets super-admin pass every @Roles', async () => {
    const { run } = setup();
    for (const method of ['list', 'bar', 'wipe'] as const) {
      expect((await run(SimsController, method, `Bearer ${ADMIN_TOKEN}`)).allowed).toBe(true);
    }
  });

  it('rejects a token without a required amr with 403 insufficient_authentication naming the method', async () => {
    const { run } = setup();
    const err = await rejection(run(SimsController, 'exportKeys', `Bearer ${OPERATOR_TOKEN}`));
    expect(err.code).toBe('insufficient_authentication');
    expect(err.status).toBe(403);
    expect(err.message).toContain('otp');
  });

  it('does not let super-admin skip @RequireAmr (a role is not an authentication method)', async () => {
    const { run } = setup();
    const err = await rejection(run(SimsController, 'exportKeys', `Bearer ${ADMIN_TOKEN}`));
    expect(err.code).toBe('insufficient_authentication');
  });

  it('passes when both the role and the amr are there, and checks the role first', async () => {
    const { run } = setup();
    expect((await run(SimsController, 'rotateKeys', `Bearer ${MFA_TOKEN}`)).allowed).toBe(true);
    // A viewer with pwd only lacks both: the reply is about the role, not about signing in again.
    expect((await rejection(run(SimsController, 'rotateKeys', `Bearer ${OPERATOR_TOKEN}`))).code).toBe(
      'forbidden',
    );
  });
});

describe('RequireAnyAmr', () => {
  it('passes with any one of the methods and refuses with none of them', async () => {
    const { run } = setup();
    expect((await run(FactorsController, 'manage', `Bearer ${MFA_TOKEN}`)).allowed).toBe(true);
    const err = await rejection(run(FactorsController, 'manage', `Bearer ${OPERATOR_TOKEN}`));
    expect(err.code).toBe('insufficient_authentication');
    expect(err.message).toContain('otp, hwk');
  });
});

describe('hasRole', () => {
  it('is true for a listed role or super-admin, false otherwise', () => {
    expect(hasRole(principal('a', [BILLING], []), [BILLING, 'viewer'])).toBe(true);
    expect(hasRole(principal('b', ['super-admin'], []), [BILLING])).toBe(true);
    expect(hasRole(principal('c', ['viewer'], []), [BILLING])).toBe(false);
    expect(hasRole(principal('d', [], []), [])).toBe(false);
  });
});

describe('route scope', () => {
  it('refuses an institution principal on a national route with 403 national_only, before the roles', async () => {
    const { run } = setup();
    const err = await rejection(run(SimsController, 'nationalReport', `Bearer ${INSTITUTION_TOKEN}`));
    expect(err.code).toBe('national_only');
    expect(err.status).toBe(403);
    // An institution principal without the route's role still hears about the scope, not the role.
    expect((await rejection(run(StatusController, 'status', `Bearer ${INSTITUTION_TOKEN}`))).code).toBe(
      'national_only',
    );
    expect((await rejection(run(StatusController, 'status', `Bearer ${OFFICIAL_TOKEN}`))).code).toBe(
      'national_only',
    );
  });

  it('lets national principals through a national route (roles still apply)', async () => {
    const { run } = setup();
    expect((await run(SimsController, 'nationalReport', `Bearer ${OPERATOR_TOKEN}`)).allowed).toBe(true);
    expect((await run(SimsController, 'nationalReport', `Bearer ${ADMIN_TOKEN}`)).allowed).toBe(true);
    expect((await rejection(run(SimsController, 'nationalReport', `Bearer ${MFA_TOKEN}`))).code).toBe(
      'forbidden',
    );
  });

  it('lets an institution principal reach institution and self routes (the services filter)', async () => {
    const { run } = setup();
    expect((await run(SimsController, 'list', `Bearer ${INSTITUTION_TOKEN}`)).allowed).toBe(true);
    expect((await run(StatusController, 'overview', `Bearer ${INSTITUTION_TOKEN}`)).allowed).toBe(true);
    expect((await run(FactorsController, 'profile', `Bearer ${OFFICIAL_TOKEN}`)).allowed).toBe(true);
  });

  it('treats an unclassified route as national (fail closed)', async () => {
    const { run } = setup();
    expect((await run(StatusController, 'forgotten', `Bearer ${OPERATOR_TOKEN}`)).allowed).toBe(true);
    expect((await rejection(run(StatusController, 'forgotten', `Bearer ${INSTITUTION_TOKEN}`))).code).toBe(
      'national_only',
    );
  });

  it('@AnyRole() needs some role: an official without roles is refused, any operator role passes', async () => {
    const { run } = setup();
    expect((await run(StatusController, 'overview', `Bearer ${MFA_TOKEN}`)).allowed).toBe(true);
    const err = await rejection(run(StatusController, 'overview', `Bearer ${OFFICIAL_TOKEN}`));
    expect(err.code).toBe('forbidden');
    expect(err.message).toContain('holds none');
  });

  it('refuses the unbound token of a session bound to a DPoP key (401 dpop_binding_failed), but on logout', async () => {
    const { run } = setup();
    const err = await rejection(run(AccountController, 'me', `Bearer ${BOUND_SESSION_TOKEN}`));
    expect([err.status, err.code]).toEqual([401, 'dpop_binding_failed']);
    expect((await run(AccountController, 'logout', `Bearer ${BOUND_SESSION_TOKEN}`)).allowed).toBe(true);
    // An unbound session's token is unaffected on either.
    expect((await run(AccountController, 'me', `Bearer ${OFFICIAL_TOKEN}`)).allowed).toBe(true);
  });
});
