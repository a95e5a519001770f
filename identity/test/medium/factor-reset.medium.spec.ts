import { randomUUID } from 'node:crypto';
import { type Principal } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountService } from '../../src/auth/account.service.js';
import { LoginService, type LoginStep } from '../../src/auth/login.service.js';
import { certThumbprint } from '../../src/device-auth/device-certificate.js';
import { DeviceAuthService } from '../../src/device-auth/device-auth.service.js';
import { createTestCa, issueTestDevice, refusal, type TestDevice } from '@pakawaaz/test-support';
import { DEVICE_TRUST, type DeviceTrust } from '../../src/device-auth/device-trust.port.js';
import { TotpService } from '../../src/mfa/totp.service.js';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import { FactorResetService } from '../../src/users/factor-reset.service.js';
import type { UserRow } from '../../src/users/users.repository.js';
import {
  createIdentityFixture,
  principal,
  query,
  resetIdentityData,
  type IdentityFixture,
} from '../support/identity-fixture.js';

/*
 * Takeover paths (issue 9): no administrator may end up holding every factor of someone else's account.
 * Administrators remove factors and set one-time passwords; the user enrols the new second factor at the
 * next sign-in; for operators with national roles, removing the second factor takes two administrators,
 * each of whom sees only half of the one-time password.
 */
const PASSWORD = 'amber-orchard-violin-7';
const NEW_PASSWORD = 'saffron-window-maple-31';
const meta = { ip: '192.0.2.44', userAgent: 'vitest' };
const INSTITUTION = randomUUID();

const officerA: Principal = principal(['security-officer'], {
  actor: { type: 'operator', id: randomUUID() },
  name: 'officer-a',
});
const officerB: Principal = principal(['security-officer'], {
  actor: { type: 'operator', id: randomUUID() },
  name: 'officer-b',
});
const ctx = (p: Principal) => ({ principal: p, requestId: `req-${p.name}` });

let fx: IdentityFixture;
let login: LoginService;
let account: AccountService;
let resets: FactorResetService;
let totp: TotpService;
let phone: TestDevice;
let anchor: Uint8Array;
const bindings = new Map<string, { userId: string; deviceId: string }>();
const trust: DeviceTrust = {
  anchors: () => Promise.resolve([anchor]),
  isRevoked: () => Promise.resolve(false),
  bindingOf: (t) => Promise.resolve(bindings.get(t) ?? null),
  hasDevice: (userId) => Promise.resolve([...bindings.values()].some((b) => b.userId === userId)),
};

beforeAll(async () => {
  fx = await createIdentityFixture({ providers: [{ provide: DEVICE_TRUST, useValue: trust }] });
  login = fx.get(LoginService);
  account = fx.get(AccountService);
  resets = fx.get(FactorResetService);
  totp = fx.get(TotpService);
  const ca = await createTestCa();
  anchor = new Uint8Array(ca.cert.rawData);
  phone = await issueTestDevice(ca, { serial: '0300' });
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await resetIdentityData(fx.handle);
  bindings.clear();
  // The officers exist: requests and approvals name them by username.
  for (const o of [officerA, officerB])
    await fx.addUser({ id: o.actor.id, username: o.name, roles: ['security-officer'] }, PASSWORD);
});

const ticketOf = (s: LoginStep) => {
  if (s.status === 'authenticated') throw new Error('expected another step');
  return s.ticket;
};
const codeNow = (secret: string, ahead = 0) => totpCodeAtStep(secret, totpStepAt(new Date()) + ahead);

async function withTotp(user: UserRow): Promise<string> {
  const { secret } = await totp.begin(user);
  await totp.confirm(user, codeNow(secret, -1), { type: user.kind, id: user.id }, null);
  return secret;
}

/** The sign-in after a reset: one-time password, own new password, then whatever the account needs next. */
async function signInAfterReset(username: string, oneTime: string): Promise<LoginStep> {
  const first = await login.password(username, oneTime, 'aal1', meta);
  expect(first.status).toBe('password_change_required');
  return account.forcedChange(ticketOf(first), NEW_PASSWORD, meta);
}

async function enrolAtSignIn(step: LoginStep): Promise<{ secret: string; done: LoginStep }> {
  if (step.status !== 'totp_enrolment_required') throw new Error(`expected enrolment, got ${step.status}`);
  const secret = step.enrolment.secret;
  expect(step.enrolment.otpauthUri).toContain(secret);
  expect(step.enrolment.qrSvg).toContain('<svg');
  expect(
    (
      await refusal(
        account.enrolTotpAtSignIn(step.ticket, '000000' === codeNow(secret) ? '111111' : '000000', meta),
      )
    ).code,
  ).toBe('totp_invalid');
  return { secret, done: await account.enrolTotpAtSignIn(step.ticket, codeNow(secret), meta) };
}

describe('factor reset by one administrator (officials, institution operators)', () => {
  it('removes TOTP, sets a one-time password, and the user — not the officer — enrols the new authenticator', async () => {
    const ines = await fx.addUser(
      { username: 'ines', roles: ['viewer', 'billing'], institutionId: INSTITUTION },
      PASSWORD,
    );
    const old = await withTotp(ines);
    const r = await resets.request(ines.id, { reason: 'lost her phone', password: true }, ctx(officerA));
    expect(r.status).toBe('done');
    expect(r.temporaryPassword).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(r.temporaryPasswordPart).toBeNull();
    expect(r.user.factors).toEqual({ totp: 'none', passkeys: 0, recoveryCodesLeft: 0 });
    expect(r.user.totpEnrolmentRequired).toBe(true);
    // Nothing the officer received is a second factor.
    expect(JSON.stringify(r)).not.toMatch(/otpauth:|secret/i);

    const { secret, done } = await enrolAtSignIn(await signInAfterReset('ines', r.temporaryPassword!));
    expect(secret).not.toBe(old);
    if (done.status !== 'authenticated') throw new Error(done.status);
    expect(done.acr).toBe('aal2');
    expect([...done.amr].sort()).toEqual(['mfa', 'otp', 'pwd']);
    expect(done.recoveryCodes).toHaveLength(10);
    // From now on the new authenticator is required, the old one is worthless.
    const next = await login.password('ines', NEW_PASSWORD, 'aal1', meta);
    expect(next).toMatchObject({ status: 'mfa_required', factors: ['totp', 'recovery-code'] });
    expect((await refusal(login.totpCode(ticketOf(next), codeNow(old, 1), meta))).code).toBe(
      'invalid_credentials',
    );
    const audit = await query<{ action: string; actor_id: string; details: Record<string, unknown> }>(
      fx.handle,
      "select action, actor_id, details from platform.audit_log where action in ('identity.user.factors-reset', 'identity.totp.enrolled') order by seq",
    );
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
      ['identity.totp.enrolled', ines.id],
      ['identity.user.factors-reset', officerA.actor.id],
      ['identity.totp.enrolled', ines.id],
    ]);
    expect(audit[1]?.details).toMatchObject({
      reason: 'lost her phone',
      passwordReset: true,
      approvedBy: null,
    });
  });

  it('an official keeps the device floor: enrolment comes only after the device proved itself', async () => {
    const farah = await fx.addUser(
      { username: 'farah', kind: 'official', institutionId: INSTITUTION },
      PASSWORD,
    );
    bindings.set(certThumbprint(new Uint8Array(phone.cert.rawData)), { userId: farah.id, deviceId: 'h' });
    await withTotp(farah);
    const r = await resets.request(farah.id, { reason: 'new phone', password: true }, ctx(officerA));
    const step = await signInAfterReset('farah', r.temporaryPassword!);
    // The officer holding the one-time password still cannot pass the handset's device key.
    expect(step).toMatchObject({ status: 'mfa_required', factors: ['device'] });
    const devices = fx.get(DeviceAuthService);
    const { challenge } = await devices.challenge(ticketOf(step), meta);
    const proven = await devices.prove(
      {
        ticket: ticketOf(step),
        challenge,
        certificateChain: [new Uint8Array(phone.cert.rawData)],
        signature: await phone.sign(challenge),
      },
      meta,
    );
    const { done } = await enrolAtSignIn(proven);
    expect(done.status).toBe('authenticated');
  });

  it('is refused on oneself (use My account) and on a super-admin without super-admin', async () => {
    const root = await fx.addUser({ username: 'root', roles: ['super-admin'] }, PASSWORD);
    expect(
      (await refusal(resets.request(officerA.actor.id, { reason: 'me', password: true }, ctx(officerA))))
        .code,
    ).toBe('forbidden');
    expect(
      (await refusal(resets.request(root.id, { reason: 'x', password: true }, ctx(officerA)))).code,
    ).toBe('forbidden');
  });
});

describe('two-person rule for operators with national roles', () => {
  it('waits for a second administrator; neither sees the whole one-time password', async () => {
    const zara = await fx.addUser({ username: 'zara', roles: ['network-admin'] }, PASSWORD);
    await withTotp(zara);
    const asked = await resets.request(zara.id, { reason: 'phone stolen', password: false }, ctx(officerA));
    expect(asked.status).toBe('pending');
    expect(asked.temporaryPassword).toBeNull();
    const partA = asked.temporaryPasswordPart!;
    expect(partA).toMatch(/^[A-Za-z0-9_-]{12}$/);
    // Nothing happened yet.
    expect(asked.user.factors.totp).toBe('active');
    expect(
      (await refusal(resets.request(zara.id, { reason: 'again', password: true }, ctx(officerB)))).code,
    ).toBe('factor_reset_pending');
    const pending = await resets.list({ status: 'pending' }, ctx(officerB));
    expect(pending.map((p) => [p.username, p.requestedBy, p.status])).toEqual([
      ['zara', 'officer-a', 'pending'],
    ]);

    const id = asked.request!.id;
    expect((await refusal(resets.approve(id, ctx(officerA)))).code).toBe('two_person_rule');
    const tokenCaller = principal(['super-admin'], { actor: { type: 'api-token', id: randomUUID() } });
    expect((await refusal(resets.approve(id, ctx(tokenCaller)))).code).toBe('two_person_rule');

    const approved = await resets.approve(id, ctx(officerB));
    expect(approved.status).toBe('done');
    expect(approved.temporaryPassword).toBeNull();
    const partB = approved.temporaryPasswordPart!;
    expect(partB).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(approved.user.factors.totp).toBe('none');
    // The password is always reset in a two-person reset, even when asked not to: an earlier reset by one
    // officer must not leave that officer with the account.
    for (const part of [partA, partB])
      expect((await refusal(login.password('zara', part, 'aal1', meta))).code).toBe('invalid_credentials');
    expect((await refusal(login.password('zara', PASSWORD, 'aal1', meta))).code).toBe('invalid_credentials');
    const { done } = await enrolAtSignIn(await signInAfterReset('zara', partA + partB));
    expect(done.status).toBe('authenticated');

    const audit = await query<{ action: string; actor_id: string; details: Record<string, unknown> }>(
      fx.handle,
      "select action, actor_id, details from platform.audit_log where action like 'identity.%factor%' order by seq",
    );
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
      ['identity.factor-reset.requested', officerA.actor.id],
      ['identity.factor-reset.approved', officerB.actor.id],
      ['identity.user.factors-reset', officerB.actor.id],
    ]);
    expect(audit[2]?.details).toMatchObject({
      requestedBy: 'officer-a',
      approvedBy: 'officer-b',
      passwordReset: true,
    });
    expect(JSON.stringify(audit)).not.toContain(partA);
  });

  it('a rejected request changes nothing and cannot be approved later', async () => {
    const zara = await fx.addUser({ username: 'zara', roles: ['sim-operator'] }, PASSWORD);
    await withTotp(zara);
    const asked = await resets.request(zara.id, { reason: 'unsure', password: true }, ctx(officerA));
    const rejected = await resets.reject(asked.request!.id, 'called her: she has the phone', ctx(officerB));
    expect(rejected).toMatchObject({ status: 'rejected', decidedBy: 'officer-b' });
    expect((await refusal(resets.approve(asked.request!.id, ctx(officerB)))).code).toBe(
      'factor_reset_not_found',
    );
    expect((await login.password('zara', PASSWORD, 'aal1', meta)).status).toBe('mfa_required');
  });
});
