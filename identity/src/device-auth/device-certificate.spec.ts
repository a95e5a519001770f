import { describe, expect, it } from 'vitest';
import { certThumbprint, verifyDeviceChain, verifyPossession } from './device-certificate.js';
import { createTestCa, issueTestDevice } from '@pakawaaz/test-support';

const der = (c: { rawData: ArrayBuffer }) => new Uint8Array(c.rawData);

describe('verifyDeviceChain', () => {
  it('accepts a client certificate issued by the device CA and returns its SHA-256 thumbprint', async () => {
    const ca = await createTestCa();
    const device = await issueTestDevice(ca, { serial: '00ff01' });
    const r = await verifyDeviceChain([der(device.cert)], [der(ca.cert)], new Date());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.thumbprint).toBe(certThumbprint(der(device.cert)));
    expect(r.thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.serialHex).toBe('ff01');
  });

  it('refuses a certificate from another CA with the same name', async () => {
    const ca = await createTestCa('Device CA');
    const impostor = await createTestCa('Device CA');
    const device = await issueTestDevice(impostor);
    expect(await verifyDeviceChain([der(device.cert)], [der(ca.cert)], new Date())).toEqual({
      ok: false,
      problem: 'bad_signature',
    });
  });

  it('refuses an unknown issuer, an expired certificate, a server certificate and a CA as leaf', async () => {
    const ca = await createTestCa();
    const other = await createTestCa('Other CA');
    const now = new Date();
    const anchors = [der(ca.cert)];
    const problem = async (c: { cert: { rawData: ArrayBuffer } }, at = now) => {
      const r = await verifyDeviceChain([der(c.cert)], anchors, at);
      return r.ok ? 'ok' : r.problem;
    };
    expect(await problem(await issueTestDevice(other))).toBe('untrusted');
    expect(
      await problem(await issueTestDevice(ca, { validDays: 1 }), new Date(now.getTime() + 3 * 86_400_000)),
    ).toBe('expired_or_not_yet_valid');
    expect(await problem(await issueTestDevice(ca, { usage: 'server' }))).toBe('not_for_client_auth');
    expect(await problem(await issueTestDevice(ca, { ca: true }))).toBe('leaf_is_ca');
  });

  it('checks sizes and count before parsing', async () => {
    const now = new Date();
    expect(await verifyDeviceChain([], [], now)).toEqual({ ok: false, problem: 'empty' });
    expect(await verifyDeviceChain(Array(5).fill(new Uint8Array(10)), [], now)).toEqual({
      ok: false,
      problem: 'too_long',
    });
    expect(await verifyDeviceChain([new Uint8Array(9000)], [], now)).toEqual({
      ok: false,
      problem: 'too_large',
    });
    expect(await verifyDeviceChain([new Uint8Array([0x30, 0x03, 1, 2, 3])], [], now)).toEqual({
      ok: false,
      problem: 'unparsable',
    });
  });
});

describe('verifyPossession', () => {
  it('accepts the holder’s signature over the challenge, refuses another key or another text', async () => {
    const ca = await createTestCa();
    const device = await issueTestDevice(ca);
    const thief = await issueTestDevice(ca);
    const challenge = 'pakawaaz-device-challenge.abc';
    expect(verifyPossession(device.cert, challenge, await device.sign(challenge))).toBe(true);
    expect(verifyPossession(device.cert, challenge, await thief.sign(challenge))).toBe(false);
    expect(verifyPossession(device.cert, `${challenge}x`, await device.sign(challenge))).toBe(false);
    expect(verifyPossession(device.cert, challenge, new Uint8Array(0))).toBe(false);
  });
});
