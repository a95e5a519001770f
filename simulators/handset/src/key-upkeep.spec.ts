import 'reflect-metadata';
import { createPublicKey, verify, webcrypto } from 'node:crypto';
import { X509CertificateGenerator } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { attestationDue, keyPairOf, renewalDue } from './key-upkeep.js';
import { pemBlock } from './lab-handset.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const t0 = new Date('2026-03-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('when a handset re-attests', () => {
  it('a quarter of the limit ahead with a short interval (24 h, 15 min: from 18 h on)', () => {
    expect(attestationDue(t0, at(18 * HOUR - 1), 24, 900)).toBe(false);
    expect(attestationDue(t0, at(18 * HOUR), 24, 900)).toBe(true);
  });

  it('two check-in intervals ahead when they are longer than a quarter of the limit', () => {
    // 24 h limit, 8 h interval: the check-in after next would be too late from 8 h on.
    expect(attestationDue(t0, at(8 * HOUR - 1), 24, 8 * 3600)).toBe(false);
    expect(attestationDue(t0, at(8 * HOUR), 24, 8 * 3600)).toBe(true);
    // An interval as long as the limit: every check-in re-attests, else the evidence goes stale between two.
    expect(attestationDue(t0, t0, 24, 24 * 3600)).toBe(true);
  });
});

describe('when a handset renews its certificate', () => {
  it('once two thirds of its life have passed (90 days: from day 60)', async () => {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const cert = await X509CertificateGenerator.createSelfSigned({
      serialNumber: '01',
      name: 'CN=device',
      notBefore: t0,
      notAfter: at(90 * DAY),
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    });
    expect(renewalDue(cert.toString('pem'), at(60 * DAY - HOUR))).toBe(false);
    expect(renewalDue(cert.toString('pem'), at(60 * DAY))).toBe(true);
    expect(renewalDue(cert.toString('pem'), at(91 * DAY))).toBe(true);
  });
});

describe('the device key from its saved PEM', () => {
  it('is the same key pair: what it signs verifies under the public key of the PEM', async () => {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const pem = pemBlock('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    const again = await keyPairOf(pem);
    const data = Buffer.from('re-attest me');
    const sig = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, again.privateKey, data);
    const original = Buffer.from(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const derived = Buffer.from(await webcrypto.subtle.exportKey('spki', again.publicKey));
    expect(derived.equals(original)).toBe(true);
    const pub = createPublicKey({ key: original, format: 'der', type: 'spki' });
    expect(verify('sha256', data, { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig))).toBe(true);
  });
});
