import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { botOfCertificate } from './bot-certificates.js';
import {
  buildCrl,
  certificatePem,
  createCaCertificate,
  DeviceCaError,
  issueBotCertificate,
  issueDeviceCertificate,
  issueServerCertificate,
  openDeviceCa,
  verifiedCsr,
  webCryptoSigner,
} from './device-ca.js';

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const dir = mkdtempSync(path.join(tmpdir(), 'device-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, data: string | Uint8Array) => {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
};
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

async function testCa() {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const signer = webCryptoSigner(keys.privateKey);
  const cert = await createCaCertificate({
    signer,
    publicKeySpki: spki,
    name: 'CN=Pakawaaz Device CA, O=Pakawaaz',
    now: new Date(),
    validityDays: 3650,
  });
  return openDeviceCa(cert, signer);
}

async function handsetCsr() {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=handset',
    keys,
    signingAlgorithm: SIGN,
  });
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  return { der: new Uint8Array(csr.rawData), spki };
}

describe('device CA', () => {
  it('issues a device certificate for the attested key that openssl verifies against the CA', async () => {
    const ca = await testCa();
    const { der, spki } = await handsetCsr();
    const cert = await issueDeviceCertificate(ca, {
      csr: await verifiedCsr(der),
      attestedSpki: spki,
      deviceId: '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c',
      userId: 'u-1',
      imei: '490154203237518',
      now: new Date(),
      validityDays: 90,
    });
    const caPem = file('ca.pem', ca.certificate.toString('pem'));
    const leafPem = file('leaf.pem', certificatePem(cert.der));
    expect(openssl('verify', '-purpose', 'sslclient', '-CAfile', caPem, leafPem)).toContain(': OK');
    const text = openssl('x509', '-in', leafPem, '-noout', '-text');
    expect(text).toContain('Subject: CN = 4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c');
    expect(text).toContain('URI:urn:pakawaaz:user:u-1');
    expect(text).toContain('URI:urn:imei:490154203237518');
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toMatch(/Digital Signature/);
    expect(cert.serialHex).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(openssl('x509', '-in', leafPem, '-noout', '-serial').toLowerCase()).toContain(cert.serialHex);
    const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
  });

  it('issues a bot certificate that names the bot and its institution, and no device or official', async () => {
    const ca = await testCa();
    const { der } = await handsetCsr();
    const botId = '0b3a52d4-1c7e-4f0a-9e61-2d5c8f7a9b10';
    const institutionId = '7d1e9c2b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
    const cert = await issueBotCertificate(ca, {
      csr: await verifiedCsr(der),
      botId,
      institutionId,
      now: new Date(),
      validityDays: 90,
    });
    const leafPem = file('bot.pem', certificatePem(cert.der));
    const caPem = file('bot-ca.pem', ca.certificate.toString('pem'));
    expect(openssl('verify', '-purpose', 'sslclient', '-CAfile', caPem, leafPem)).toContain(': OK');
    const text = openssl('x509', '-in', leafPem, '-noout', '-text');
    expect(text).toContain(`Subject: CN = ${botId}`);
    expect(text).toContain(`URI:urn:pakawaaz:bot:${botId}`);
    expect(text).toContain(`URI:urn:pakawaaz:institution:${institutionId}`);
    expect(text).not.toMatch(/urn:pakawaaz:(device|user):/);
    expect(botOfCertificate(new NodeX509(cert.der))).toEqual({ botId, institutionId });
    // A handset's certificate is no bot's.
    const handset = await issueDeviceCertificate(ca, {
      csr: await verifiedCsr(der),
      attestedSpki: null,
      deviceId: botId,
      userId: 'u-1',
      imei: null,
      now: new Date(),
      validityDays: 90,
    });
    expect(botOfCertificate(new NodeX509(handset.der))).toBeNull();
  });

  it('refuses a CSR whose key is not the attested one, and a CSR with a broken signature', async () => {
    const ca = await testCa();
    const mine = await handsetCsr();
    const other = await handsetCsr();
    const request = {
      csr: await verifiedCsr(mine.der),
      attestedSpki: other.spki,
      deviceId: 'd',
      userId: 'u',
      imei: null,
      now: new Date(),
      validityDays: 90,
    };
    await expect(issueDeviceCertificate(ca, request)).rejects.toMatchObject({ code: 'CSR_KEY_MISMATCH' });
    const tampered = mine.der.slice();
    tampered[tampered.length - 5]! ^= 0x01;
    await expect(verifiedCsr(tampered)).rejects.toBeInstanceOf(DeviceCaError);
    await expect(verifiedCsr(new Uint8Array([0x30, 0x03, 1, 2, 3]))).rejects.toMatchObject({
      code: 'CSR_MALFORMED',
    });
    await expect(verifiedCsr(new Uint8Array(5000))).rejects.toMatchObject({ code: 'CSR_MALFORMED' });
  });

  it('lists revoked serials in a CRL openssl reads and verifies with the CA', async () => {
    const ca = await testCa();
    const { der, spki } = await handsetCsr();
    const cert = await issueDeviceCertificate(ca, {
      csr: await verifiedCsr(der),
      attestedSpki: spki,
      deviceId: 'd-2',
      userId: 'u-2',
      imei: null,
      now: new Date(),
      validityDays: 90,
    });
    const now = new Date();
    const crlDer = await buildCrl(ca, {
      entries: [{ serialHex: cert.serialHex, revokedAt: now, reason: 'lost' }],
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 86_400_000),
    });
    const crlFile = file('crl.der', crlDer);
    const caPem = file('ca2.pem', ca.certificate.toString('pem'));
    const text = openssl('crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text', '-CAfile', caPem);
    expect(text.toUpperCase()).toContain(cert.serialHex.toUpperCase());
    expect(text).toContain('Key Compromise');
    const verified = execFileSync(
      'openssl',
      ['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-CAfile', caPem],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(verified).toBe('');
    // openssl verify with the CRL now refuses the revoked certificate.
    const crlPem = path.join(dir, 'crl.pem');
    openssl('crl', '-inform', 'DER', '-in', crlFile, '-out', crlPem);
    const leafPem = file('leaf2.pem', certificatePem(cert.der));
    expect(() =>
      execFileSync('openssl', ['verify', '-crl_check', '-CAfile', caPem, '-CRLfile', crlPem, leafPem], {
        stdio: 'pipe',
      }),
    ).toThrow(/revoked/);
  });

  it('issues a server certificate for the device edge with DNS and IP names', async () => {
    const ca = await testCa();
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const cert = await issueServerCertificate(ca, {
      publicKeySpki: new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey)),
      hostnames: ['devices.example.gov', '127.0.0.1'],
      now: new Date(),
      validityDays: 30,
    });
    const caPem = file('ca3.pem', ca.certificate.toString('pem'));
    const pem = file('server.pem', cert.toString('pem'));
    expect(openssl('verify', '-purpose', 'sslserver', '-CAfile', caPem, pem)).toContain(': OK');
    const text = openssl('x509', '-in', pem, '-noout', '-text');
    expect(text).toContain('DNS:devices.example.gov');
    expect(text).toContain('IP Address:127.0.0.1');
  });
});
