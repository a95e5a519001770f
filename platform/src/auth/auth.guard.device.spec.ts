import { createHash } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/internal';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { Roles, RouteScope } from './auth.decorators.js';
import { AuthGuard } from './auth.guard.js';
import { certificateThumbprint, ClientCertificates } from './client-certificate.js';
import {
  DeviceRoute,
  type DeviceAuthentication,
  type DeviceAuthenticator,
  type DevicePrincipal,
} from './device-auth.js';
import type { Principal } from './principal.js';
import { NATIONAL_SCOPE } from './scope.js';
import type { TokenVerifier } from './token-verifier.js';

// Stand-in certificates: the guard hashes and forwards DER, it does not parse it (the authenticator does).
const GOOD = new Uint8Array(Buffer.from('device certificate of handset 1'));
const OTHER = new Uint8Array(Buffer.from('device certificate of handset 2'));
const CA = new Uint8Array(Buffer.from('device CA'));
const USER = 'user-ola';

const device = (
  der: Uint8Array,
  compliance: DevicePrincipal['compliance'] = 'compliant',
): DevicePrincipal => ({
  deviceId: `device-${certificateThumbprint(der).slice(0, 6)}`,
  userId: USER,
  institutionId: 'inst-interior',
  certThumbprint: certificateThumbprint(der),
  compliance,
});

/** The DEVICE_AUTHENTICATOR port over a table: thumbprint → answer. Records every chain it is asked about. */
class TableAuthenticator implements DeviceAuthenticator {
  readonly seen: Uint8Array[][] = [];
  constructor(readonly answers: Map<string, DeviceAuthentication>) {}
  authenticate(chain: readonly Uint8Array[]): Promise<DeviceAuthentication> {
    this.seen.push([...chain]);
    return Promise.resolve(
      this.answers.get(certificateThumbprint(chain[0]!)) ?? { ok: false, reason: 'untrusted' },
    );
  }
}

const BOUND_TOKEN = 'bound-token-aaaaaaaaaaaaaaaa';
const PLAIN_TOKEN = 'plain-token-bbbbbbbbbbbbbbbb';
const DPOP_BOUND_TOKEN = 'dpop-bound-token-cccccccccccc';
const principal = (certThumbprint?: string): Principal => ({
  actor: { type: 'official', id: USER },
  name: 'ola',
  roles: [],
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd'],
  acr: 'aal2',
  tokenId: 'jti-1',
  ...(certThumbprint ? { certThumbprint } : {}),
});
const verifier: TokenVerifier = {
  verify: (t) =>
    Promise.resolve(
      t === BOUND_TOKEN
        ? principal(certificateThumbprint(GOOD))
        : t === PLAIN_TOKEN
          ? principal()
          : t === DPOP_BOUND_TOKEN
            ? { ...principal(), dpopJkt: 'jkt-of-a-desktop-key' }
            : null,
    ),
};

class HandsetController {
  @DeviceRoute()
  checkIn(): void {}
}
@DeviceRoute({ bots: true })
class ChatDeliveryController {
  send(): void {}
}
@DeviceRoute({ desktops: true })
class ChatFilesController {
  upload(): void {}
}
@RouteScope('self')
class AccountController {
  profile(): void {}
}
@RouteScope('self')
@Roles('viewer')
class ViewerController {
  read(): void {}
}

/** A request whose TLS connection carries a verified chain (the device port), or none. */
function tls(chain: Uint8Array[] | null) {
  type Peer = { raw: Buffer; fingerprint256: string; issuerCertificate?: Peer };
  const peers = (chain ?? []).map((d): Peer => ({
    raw: Buffer.from(d),
    fingerprint256: createHash('sha256').update(d).digest('hex'),
  }));
  peers.forEach((p, i) => (p.issuerCertificate = peers[i + 1] ?? p));
  return chain
    ? { authorized: true, remoteAddress: '192.0.2.10', getPeerCertificate: () => peers[0] }
    : { remoteAddress: '192.0.2.10' };
}

function setup(answers: [Uint8Array, DeviceAuthentication][] = [], bound = true) {
  const authenticator = new TableAuthenticator(
    new Map(answers.map(([der, a]) => [certificateThumbprint(der), a])),
  );
  const guard = new AuthGuard(
    new Reflector(),
    verifier,
    bound ? authenticator : undefined,
    new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' }),
  );
  const run = async <C extends object>(
    controller: new () => C,
    method: keyof C & string,
    opts: { chain?: Uint8Array[] | null; token?: string } = {},
  ) => {
    const request: Record<string, unknown> = {
      id: 'req-1',
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      raw: { socket: tls(opts.chain ?? null) },
    };
    const handler = (controller.prototype as C)[method] as (...args: unknown[]) => unknown;
    const ctx = new ExecutionContextHost([request, {}, undefined], controller, handler);
    ctx.setType('http');
    return { allowed: await guard.canActivate(ctx), request };
  };
  return { run, authenticator };
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

describe('AuthGuard on @DeviceRoute()', () => {
  it('authenticates the handset by its certificate chain and sets request.device, no bearer needed', async () => {
    const { run, authenticator } = setup([[GOOD, { ok: true, device: device(GOOD) }]]);
    const { allowed, request } = await run(HandsetController, 'checkIn', { chain: [GOOD, CA] });
    expect(allowed).toBe(true);
    expect(request.device).toEqual(device(GOOD));
    expect(request.principal).toBeUndefined();
    expect(authenticator.seen).toEqual([[GOOD, CA]]);
  });

  it('stays open to a non-compliant device (it must be able to check in to recover)', async () => {
    const { run } = setup([[GOOD, { ok: true, device: device(GOOD, 'non_compliant') }]]);
    expect((await run(HandsetController, 'checkIn', { chain: [GOOD] })).allowed).toBe(true);
  });

  it('refuses a request without a certificate with 401 device_certificate_required, a bearer token notwithstanding', async () => {
    const { run, authenticator } = setup();
    for (const token of [undefined, PLAIN_TOKEN]) {
      const err = await rejection(run(HandsetController, 'checkIn', { token }));
      expect([err.status, err.code]).toEqual([401, 'device_certificate_required']);
    }
    expect(authenticator.seen).toEqual([]);
  });

  it.each(['untrusted', 'expired', 'revoked', 'unknown_device', 'device_retired'] as const)(
    'refuses a certificate the port refuses (%s) with 401 device_certificate_refused naming the reason',
    async (reason) => {
      const { run } = setup([[GOOD, { ok: false, reason }]]);
      const err = await rejection(run(HandsetController, 'checkIn', { chain: [GOOD] }));
      expect([err.status, err.code, err.details]).toEqual([401, 'device_certificate_refused', { reason }]);
    },
  );

  it('says plainly when device management is not running on this node (503)', async () => {
    const { run } = setup([], false);
    const err = await rejection(run(HandsetController, 'checkIn', { chain: [GOOD] }));
    expect([err.status, err.code]).toEqual([503, 'device_management_unavailable']);
  });
});

describe('AuthGuard and bots (service accounts with a device-CA certificate)', () => {
  const bot: DevicePrincipal = { ...device(OTHER), userId: 'bot-1', kind: 'bot' };

  it('lets a bot in on routes declared @DeviceRoute({ bots: true }) only', async () => {
    const { run } = setup([[OTHER, { ok: true, device: bot }]]);
    const { allowed, request } = await run(ChatDeliveryController, 'send', { chain: [OTHER] });
    expect([allowed, request.device]).toEqual([true, bot]);
    const err = await rejection(run(HandsetController, 'checkIn', { chain: [OTHER] }));
    expect([err.status, err.code, err.details]).toEqual([
      401,
      'device_certificate_refused',
      { reason: 'not_a_handset' },
    ]);
  });

  it('lets a handset in whether or not device management names its kind; a desktop certificate never over mutual TLS', async () => {
    const handset: DevicePrincipal = { ...device(GOOD), kind: 'handset' };
    const desktop: DevicePrincipal = { ...device(OTHER), kind: 'desktop' };
    const { run } = setup([
      [GOOD, { ok: true, device: handset }],
      [OTHER, { ok: true, device: desktop }],
    ]);
    expect((await run(HandsetController, 'checkIn', { chain: [GOOD] })).allowed).toBe(true);
    expect((await run(ChatDeliveryController, 'send', { chain: [GOOD] })).allowed).toBe(true);
    expect((await run(ChatFilesController, 'upload', { chain: [GOOD] })).allowed).toBe(true);
    // A desktop proves itself with its official's token and a DPoP proof; its certificate alone (a key its
    // official could have made anywhere) opens nothing, not even the routes desktops may call.
    for (const refusal of [
      rejection(run(ChatFilesController, 'upload', { chain: [OTHER] })),
      rejection(run(HandsetController, 'checkIn', { chain: [OTHER] })),
      rejection(run(ChatDeliveryController, 'send', { chain: [OTHER] })),
    ]) {
      const err = await refusal;
      expect([err.status, err.details]).toEqual([401, { reason: 'desktop_needs_dpop' }]);
    }
  });

  it('still lets a handset in on a route open to bots', async () => {
    const { run } = setup([[GOOD, { ok: true, device: device(GOOD) }]]);
    expect((await run(ChatDeliveryController, 'send', { chain: [GOOD] })).allowed).toBe(true);
  });

  it('never accepts a bot certificate for a token bound to a certificate', async () => {
    const { run } = setup([[GOOD, { ok: true, device: { ...device(GOOD), kind: 'bot' } }]]);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
  });
});

describe('AuthGuard on tokens bound to a desktop DPoP key (RFC 9449 cnf.jkt)', () => {
  it('refuses one presented as a bearer token: it serves its desktop’s device routes, with a proof', async () => {
    const { run } = setup();
    const err = await rejection(run(AccountController, 'profile', { token: DPOP_BOUND_TOKEN }));
    expect([err.status, err.code]).toEqual([401, 'dpop_binding_failed']);
    expect((await run(AccountController, 'profile', { token: PLAIN_TOKEN })).allowed).toBe(true);
  });
});

describe('AuthGuard on tokens bound to a device certificate (RFC 8705 cnf.x5t#S256)', () => {
  const good: [Uint8Array, DeviceAuthentication] = [GOOD, { ok: true, device: device(GOOD) }];
  const other: [Uint8Array, DeviceAuthentication] = [OTHER, { ok: true, device: device(OTHER) }];

  it('passes with the certificate it is bound to, and sets request.device beside the principal', async () => {
    const { run, authenticator } = setup([good]);
    const { allowed, request } = await run(AccountController, 'profile', {
      token: BOUND_TOKEN,
      chain: [GOOD],
    });
    expect(allowed).toBe(true);
    expect((request.principal as Principal).certThumbprint).toBe(certificateThumbprint(GOOD));
    expect(request.device).toEqual(device(GOOD));
    expect(authenticator.seen.length).toBe(1);
  });

  it('asks the port on every request: nothing is cached that would let a revoked certificate through', async () => {
    const { run, authenticator } = setup([good]);
    await run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] });
    authenticator.answers.set(certificateThumbprint(GOOD), { ok: false, reason: 'revoked' });
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
    expect(authenticator.seen.length).toBe(2);
  });

  it('refuses it without a certificate', async () => {
    const { run, authenticator } = setup([good]);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
    expect(authenticator.seen).toEqual([]);
  });

  it('refuses it with another (valid) device certificate, before asking the port', async () => {
    const { run, authenticator } = setup([good, other]);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [OTHER] }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
    expect(authenticator.seen).toEqual([]);
  });

  it('refuses it when the device is non-compliant', async () => {
    const { run } = setup([[GOOD, { ok: true, device: device(GOOD, 'non_compliant') }]]);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
    expect(err.message).toMatch(/not compliant/);
  });

  it('passes a device in its grace period', async () => {
    const { run } = setup([[GOOD, { ok: true, device: device(GOOD, 'grace') }]]);
    expect((await run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] })).allowed).toBe(
      true,
    );
  });

  it('refuses it when the device is another official’s', async () => {
    const { run } = setup([[GOOD, { ok: true, device: { ...device(GOOD), userId: 'someone-else' } }]]);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] }));
    expect(err.code).toBe('certificate_binding_failed');
  });

  it('refuses it when device management is not running here to check the certificate', async () => {
    const { run } = setup([], false);
    const err = await rejection(run(AccountController, 'profile', { token: BOUND_TOKEN, chain: [GOOD] }));
    expect([err.status, err.code]).toEqual([401, 'certificate_binding_failed']);
  });

  it('checks the binding before roles (a bound token with the wrong certificate learns nothing else)', async () => {
    const { run } = setup([good]);
    const err = await rejection(run(ViewerController, 'read', { token: BOUND_TOKEN, chain: [OTHER] }));
    expect(err.code).toBe('certificate_binding_failed');
  });

  it('leaves unbound tokens alone: no certificate needed, the port is not asked', async () => {
    const { run, authenticator } = setup([good]);
    expect((await run(AccountController, 'profile', { token: PLAIN_TOKEN })).allowed).toBe(true);
    expect(authenticator.seen).toEqual([]);
  });
});
