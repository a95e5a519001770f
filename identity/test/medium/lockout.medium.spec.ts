import { type DomainEvent } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginService, type LoginStep } from '../../src/auth/login.service.js';
import { certThumbprint } from '../../src/device-auth/device-certificate.js';
import { DeviceAuthService } from '../../src/device-auth/device-auth.service.js';
import { createTestCa, issueTestDevice, refusal, type TestDevice } from '@pakawaaz/test-support';
import { DEVICE_TRUST, type DeviceTrust } from '../../src/device-auth/device-trust.port.js';
import { TotpService } from '../../src/mfa/totp.service.js';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { RadiusAccessService } from '../../src/radius/radius-access.service.js';
import type { AccessRequestContext } from '../../src/radius/radius-handler.js';
import type { RadiusPacket } from '@pakawaaz/radius';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * Lock-out must not be a kill switch (issue 9): guessing slows down per account and source, and at NIST's
 * limit the password step closes to sign-ins that did not first prove a possession factor — the legitimate
 * official still signs in (device or SIM first, then the password) while the security officers are alarmed.
 */
const PASSWORD = 'cedar-window-mosaic-31';
const LIMIT = 6;
const FREE = 2;
const officer = { principal: principal(['security-officer']), requestId: 'req-officer' };
const from = (ip: string) => ({ ip, userAgent: 'vitest' });

let fx: IdentityFixture;
let login: LoginService;
let phone: TestDevice;
let farahId: string;
const bindings = new Map<string, { userId: string; deviceId: string }>();
let anchor: Uint8Array;
const trust: DeviceTrust = {
  anchors: () => Promise.resolve([anchor]),
  isRevoked: () => Promise.resolve(false),
  bindingOf: (thumbprint) => Promise.resolve(bindings.get(thumbprint) ?? null),
  hasDevice: (userId) => Promise.resolve([...bindings.values()].some((b) => b.userId === userId)),
};
const events: DomainEvent[] = [];
/** The legitimate user's address: a new one per test (the throttle's memory outlives a test). */
let here = '';
let nextHere = 0;

beforeAll(async () => {
  fx = await createIdentityFixture({
    config: {
      lockoutThreshold: LIMIT,
      loginBackoff: { freeFailures: FREE, freeFailuresPerSource: 4, maxSeconds: 900 },
    },
    providers: [{ provide: DEVICE_TRUST, useValue: trust }],
  });
  login = fx.get(LoginService);
  const ca = await createTestCa();
  anchor = new Uint8Array(ca.cert.rawData);
  phone = await issueTestDevice(ca, { serial: '0100' });
  await fx.bus.subscribe('test-lockout', 'identity.user.>', (e) => {
    events.push(e);
    return Promise.resolve();
  });
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  events.length = 0;
  here = `198.51.100.${++nextHere}`;
  farahId = (
    await fx.addUser({ username: 'farah', kind: 'official', displayName: 'Farah Siddiqui' }, PASSWORD)
  ).id;
  bindings.clear();
  bindings.set(certThumbprint(new Uint8Array(phone.cert.rawData)), { userId: farahId, deviceId: 'h1' });
});

const ticketOf = (s: LoginStep) => {
  if (s.status === 'authenticated') throw new Error('expected another step');
  return s.ticket;
};

/**
 * `LIMIT` wrong passwords, `FREE` from each address so that the back-off never answers instead. The
 * throttle's memory outlives a test: every attack comes from addresses not used before.
 */
let nextNet = 0;
async function attack(username = 'farah'): Promise<void> {
  const net = nextNet++;
  for (let i = 0; i < LIMIT; i++) {
    const ip = `10.${net}.0.${i >> 1}`;
    const err = await refusal(login.password(username, `wrong-guess-${i}`, 'aal1', from(ip)));
    expect(err.code).toBe('invalid_credentials');
  }
}

async function proveDevice(ticket: string, ip: string): Promise<LoginStep> {
  const devices = fx.get(DeviceAuthService);
  const { challenge } = await devices.challenge(ticket, from(ip));
  return devices.prove(
    {
      ticket,
      challenge,
      certificateChain: [new Uint8Array(phone.cert.rawData)],
      signature: await phone.sign(challenge),
    },
    from(ip),
  );
}

describe('back-off instead of lock-out', () => {
  it('slows a guesser per account and address with a temporary 429, not the user from elsewhere', async () => {
    for (let i = 0; i < FREE; i++)
      await refusal(login.password('farah', `wrong-${i}`, 'aal1', from('203.0.113.9')));
    const slowed = await refusal(login.password('farah', PASSWORD, 'aal1', from('203.0.113.9')));
    expect(slowed.code).toBe('rate_limited');
    expect(slowed.status).toBe(429);
    expect((slowed.details as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // The official at the ministry is not slowed by someone else's guesses.
    const step = await login.password('farah', PASSWORD, 'aal1', from(here));
    expect(step.status).toBe('mfa_required');
    // Nothing locked: the account is fully usable.
    expect((await fx.users.findById(farahId))?.passwordClosedAt).toBeNull();
  });

  it('slows an address that sprays many accounts', async () => {
    for (const name of ['a1', 'a2', 'a3', 'a4'])
      await refusal(login.password(name, 'Spring2026!', 'aal1', from('203.0.113.77')));
    expect((await refusal(login.password('a5', 'Spring2026!', 'aal1', from('203.0.113.77')))).code).toBe(
      'rate_limited',
    );
  });
});

describe('the password step closes at the guess limit', () => {
  it('refuses even the right password first, alarms the security officers, and keeps the account alive', async () => {
    await attack();
    const user = await fx.users.findById(farahId);
    expect(user?.passwordClosedAt).toBeInstanceOf(Date);
    expect(user?.status).toBe('active');
    // The right password alone is refused — and never checked, so guessing yields nothing.
    expect((await refusal(login.password('farah', PASSWORD, 'aal1', from(here)))).code).toBe(
      'invalid_credentials',
    );
    const audit = await query<{ action: string; target: string; actor_id: string }>(
      fx.handle,
      "select action, target, actor_id from platform.audit_log where action = 'identity.user.password-closed'",
    );
    expect(audit).toEqual([
      { action: 'identity.user.password-closed', target: 'user:farah', actor_id: 'identity' },
    ]);
    await expect
      .poll(() => events.filter((e) => e.type === 'identity.user.password-closed').map((e) => e.data))
      .toEqual([expect.objectContaining({ userId: farahId, username: 'farah', failures: LIMIT })]);
    const listed = await fx
      .get(UserAdminService)
      .list({ passwordClosed: true, limit: 50, offset: 0 }, officer.principal);
    expect(listed.users.map((u) => [u.username, u.passwordClosed])).toEqual([['farah', true]]);
  });

  it('the user proves the device first, then the password, and signs in at aal2', async () => {
    await attack();
    const ip = here;
    const start = await login.start('farah', 'aal1', from(ip));
    expect(start).toMatchObject({ status: 'mfa_required', amr: [], factors: ['device'] });
    const afterDevice = await proveDevice(ticketOf(start), ip);
    expect(afterDevice).toMatchObject({ status: 'mfa_required', amr: ['hwk'], factors: ['password'] });
    // A wrong password after the device is still a failure, and that ticket is spent.
    expect(
      (await refusal(login.passwordFactor(ticketOf(afterDevice), 'wrong-after-device', from(ip)))).code,
    ).toBe('invalid_credentials');
    const again = await proveDevice(ticketOf(await login.start('farah', 'aal1', from(ip))), ip);
    const done = await login.passwordFactor(ticketOf(again), PASSWORD, from(ip));
    if (done.status !== 'authenticated') throw new Error(done.status);
    expect(done.acr).toBe('aal2');
    expect([...done.amr].sort()).toEqual(['hwk', 'mfa', 'pwd']);
    // A success behind a possession factor does not reopen the guessing.
    expect((await fx.users.findById(farahId))?.passwordClosedAt).toBeInstanceOf(Date);
  });

  it('a device-first ticket is not a sign-in, and TOTP cannot stand in for the possession factor', async () => {
    const user = (await fx.users.findById(farahId))!;
    const totp = fx.get(TotpService);
    const pending = await totp.begin(user);
    await totp.confirm(
      user,
      totpCodeAtStep(pending.secret, totpStepAt(new Date())),
      { type: 'official', id: farahId },
      null,
    );
    await attack();
    const start = ticketOf(await login.start('farah', 'aal1', from(here)));
    expect(await fx.tokens.verify(start)).toBeNull();
    const code = totpCodeAtStep(pending.secret, totpStepAt(new Date()) + 1);
    expect((await refusal(login.totpCode(start, code, from(here)))).code).toBe('login_ticket_invalid');
    expect((await refusal(login.passwordFactor(start, PASSWORD, from(here)))).code).toBe(
      'login_ticket_invalid',
    );
  });

  it('possession-first says nothing about the account: an unknown name fails like a wrong device', async () => {
    const known = await login.start('farah', 'aal1', from(here));
    const unknown = await login.start('nobody-here', 'aal1', from(here));
    expect(unknown).toMatchObject({ status: known.status, amr: [], factors: ['device'] });
    expect((await refusal(proveDevice(ticketOf(unknown), here))).code).toBe('invalid_credentials');
  });

  it("an officer's unlock reopens the password step and resets the count", async () => {
    await attack();
    await fx.get(UserAdminService).unlock(farahId, officer);
    const user = await fx.users.findById(farahId);
    expect(user).toMatchObject({ passwordClosedAt: null, failedLogins: 0 });
    expect((await login.password('farah', PASSWORD, 'aal1', from(here))).status).toBe('mfa_required');
  });
});

describe('RADIUS PAP follows the same rules', () => {
  let seed = '';
  beforeEach(async () => {
    const user = (await fx.users.findById(farahId))!;
    const totp = fx.get(TotpService);
    seed = (await totp.begin(user)).secret;
    await totp.confirm(
      user,
      totpCodeAtStep(seed, totpStepAt(new Date()) - 1),
      { type: 'official', id: farahId },
      null,
    );
  });
  const pap = (password: string, station: string) =>
    fx.get(RadiusAccessService).access({
      client: { id: 'nas-1', name: 'campus-wlc' },
      source: { address: '127.0.0.1', port: 40000 },
      identifier: 1,
      packet: {} as RadiusPacket,
      attributes: {
        userName: 'farah',
        password: Buffer.from(password, 'utf8'),
        callingStationId: station,
      },
    } satisfies AccessRequestContext);
  const code = () => totpCodeAtStep(seed, totpStepAt(new Date()));

  it('backs off per account and calling station, then closes the password step for PAP too', async () => {
    for (let i = 0; i < FREE; i++) expect((await pap(`wrong-${i}123456`, 'AA-01')).decision).toBe('reject');
    // Slowed at this station: even the right password and code are turned away for now, and not counted.
    expect((await pap(`${PASSWORD}${code()}`, 'AA-01')).decision).toBe('reject');
    expect((await fx.users.findById(farahId))?.failedLogins).toBe(FREE);
    for (let i = FREE; i < LIMIT; i++)
      expect((await pap(`wrong-${i}123456`, `BB-0${i}`)).decision).toBe('reject');
    expect((await fx.users.findById(farahId))?.passwordClosedAt).toBeInstanceOf(Date);
    expect((await pap(`${PASSWORD}${code()}`, 'CC-01')).decision).toBe('reject');
  });
});
