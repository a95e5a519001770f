import { AppError } from '@pakawaaz/platform';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginService, type LoginStep } from '../../src/auth/login.service.js';
import { certThumbprint } from '../../src/device-auth/device-certificate.js';
import { DeviceAuthService } from '../../src/device-auth/device-auth.service.js';
import { createTestCa, issueTestDevice, type TestCa, type TestDevice } from '@pakawaaz/test-support';
import { DEVICE_TRUST, type DeviceTrust } from '../../src/device-auth/device-trust.port.js';
import { createIdentityFixture, type IdentityFixture } from '../support/identity-fixture.js';

/*
 * The device factor end to end inside identity, with a real CA and real keys: the DeviceTrust port is what
 * device management implements with its CA; here it is a table over certificates issued by a test CA.
 */
const PASSWORD = 'cedar-window-mosaic-31';
const meta = { ip: '198.51.100.7', userAgent: 'handset' };

let fx: IdentityFixture;
let ca: TestCa;
let phone: TestDevice;
let stolen: TestDevice;
let userId: string;
const bindings = new Map<string, { userId: string; deviceId: string }>();
const revoked = new Set<string>();

const trust: DeviceTrust = {
  anchors: () => Promise.resolve([new Uint8Array(ca.cert.rawData)]),
  isRevoked: (serial) => Promise.resolve(revoked.has(serial)),
  bindingOf: (thumbprint) => Promise.resolve(bindings.get(thumbprint) ?? null),
  hasDevice: (userId) => Promise.resolve([...bindings.values()].some((b) => b.userId === userId)),
};

beforeAll(async () => {
  fx = await createIdentityFixture({ providers: [{ provide: DEVICE_TRUST, useValue: trust }] });
  ca = await createTestCa();
  phone = await issueTestDevice(ca, { serial: '0100' });
  stolen = await issueTestDevice(ca, { serial: '0200' });
  userId = (
    await fx.addUser({ username: 'farah', kind: 'official', displayName: 'Farah Siddiqui' }, PASSWORD)
  ).id;
  bindings.set(certThumbprint(new Uint8Array(phone.cert.rawData)), { userId, deviceId: 'handset-1' });
  bindings.set(certThumbprint(new Uint8Array(stolen.cert.rawData)), { userId, deviceId: 'handset-2' });
  revoked.add('200');
});
afterAll(async () => fx?.close());

const ticketOf = (s: LoginStep) => {
  if (s.status === 'authenticated') throw new Error('expected another step');
  return s.ticket;
};

async function prove(device: TestDevice, ticket: string, signWith: TestDevice = device) {
  const devices = fx.get(DeviceAuthService);
  const { challenge } = await devices.challenge(ticket, meta);
  return devices.prove(
    {
      ticket,
      challenge,
      certificateChain: [new Uint8Array(device.cert.rawData)],
      signature: await signWith.sign(challenge),
    },
    meta,
  );
}

describe('device factor', () => {
  it('password + attested device is aal2 and binds the tokens to the certificate (cnf.x5t#S256)', async () => {
    const login = fx.get(LoginService);
    const first = await login.password('farah', PASSWORD, 'aal2', meta);
    expect(first).toMatchObject({ status: 'mfa_required', factors: ['device'] });
    const done = await prove(phone, ticketOf(first));
    if (done.status !== 'authenticated') throw new Error(done.status);
    expect(done.acr).toBe('aal2');
    expect(done.amr).toContain('hwk');
    const thumbprint = certThumbprint(new Uint8Array(phone.cert.rawData));
    expect(decodeJwt(done.accessToken).cnf).toEqual({ 'x5t#S256': thumbprint });
    expect((await fx.tokens.verify(done.accessToken))?.certThumbprint).toBe(thumbprint);
  });

  it('refuses a revoked certificate, a key that is not the certificate’s, and a device bound to someone else', async () => {
    const login = fx.get(LoginService);
    const ticket = async () => ticketOf(await login.password('farah', PASSWORD, 'aal2', meta));
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      return (err as AppError).code;
    };
    expect(await refusal(prove(stolen, await ticket()))).toBe('invalid_credentials');
    expect(await refusal(prove(phone, await ticket(), stolen))).toBe('invalid_credentials');
    const other = await fx.addUser({ username: 'other', kind: 'official', displayName: 'Other' }, PASSWORD);
    // Another official with a handset of their own (the device factor is offered only to holders of one).
    bindings.set('other-handset-thumbprint', { userId: other.id, deviceId: 'handset-9' });
    const otherTicket = ticketOf(await login.password('other', PASSWORD, 'aal2', meta));
    expect(other.id).not.toBe(userId);
    expect(await refusal(prove(phone, otherTicket))).toBe('invalid_credentials');
  });

  it('a challenge issued for one account does not work for another', async () => {
    const login = fx.get(LoginService);
    const devices = fx.get(DeviceAuthService);
    const mine = ticketOf(await login.password('farah', PASSWORD, 'aal2', meta));
    const theirs = ticketOf(await login.password('other', PASSWORD, 'aal2', meta));
    const { challenge } = await devices.challenge(theirs, meta);
    const err = await devices
      .prove(
        {
          ticket: mine,
          challenge,
          certificateChain: [new Uint8Array(phone.cert.rawData)],
          signature: await phone.sign(challenge),
        },
        meta,
      )
      .then(
        () => null,
        (e: unknown) => e as AppError,
      );
    expect(err?.code).toBe('invalid_credentials');
  });
});
