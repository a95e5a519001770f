import 'reflect-metadata';
import { createPublicKey, verify } from 'node:crypto';
import { X509CertificateGenerator } from '@peculiar/x509';
import {
  desktopDevice,
  jwkThumbprint,
  MemoryDpopReplay,
  NATIONAL_SCOPE,
  verifyDpopProof,
  type DeviceAuthenticator,
  type DpopResult,
  type Principal,
} from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { createDesktopKey, desktopSigningKey, dpopProof, publicPoint } from './desktop-device.js';
import { p1363ToDer, webCryptoSignature } from './webcrypto-signature.js';

const URL_ = 'https://pakawaaz.example/api/v1/chat/inbox';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhaXNoYSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

async function desktop() {
  const keys = await createDesktopKey();
  const cert = await X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=desktop',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return { keys, certificateDer: new Uint8Array(cert.rawData) };
}

const why = (r: DpopResult): string => (r.ok ? 'accepted' : r.why);
const ORIGINS = ['https://pakawaaz.example'];
const want = {
  method: 'GET',
  path: '/api/v1/chat/inbox',
  origins: ORIGINS,
  accessToken: TOKEN,
  certificate: true,
};

describe('desktop device key (WebCrypto, non-extractable)', () => {
  it('cannot be exported', async () => {
    const keys = await createDesktopKey();
    await expect(crypto.subtle.exportKey('pkcs8', keys.privateKey)).rejects.toThrow();
  });

  it('signs MLS through a handle, as DER that OpenSSL verifies (RFC 9420 §5.1.2)', async () => {
    const d = await desktop();
    const { signKey, publicKey } = await desktopSigningKey(d);
    expect(publicKey).toEqual(await publicPoint(d.keys));
    // The same handle after a restart: a saved snapshot still names this key.
    expect((await desktopSigningKey(d)).signKey).toEqual(signKey);
    const fallback = {
      sign: () => Promise.reject(new Error('not the WebCrypto key')),
      verify: () => Promise.resolve(false),
      keygen: () => Promise.reject(new Error('unused')),
    };
    const message = new TextEncoder().encode('MLS 1.0 LeafNodeTBS');
    const der = await webCryptoSignature(fallback).sign(signKey, message);
    const spki = createPublicKey({
      key: Buffer.concat([
        Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
        publicKey,
      ]),
      format: 'der',
      type: 'spki',
    });
    expect(verify('sha256', message, { key: spki, dsaEncoding: 'der' }, der)).toBe(true);
  });

  it('re-encodes P1363 as minimal DER integers (a leading 0 for a set top bit, none for leading zeros)', () => {
    const sig = new Uint8Array(64);
    sig[0] = 0x80;
    sig[31] = 1;
    sig[63] = 5;
    const der = p1363ToDer(sig);
    expect(Buffer.from(der).toString('hex')).toBe('3026022100' + '80' + '00'.repeat(30) + '01' + '020105');
  });
});

describe('DPoP proofs (RFC 9449) between the web client and the server', () => {
  it('computes the RFC 7638 thumbprint of the RFC 9449 §4.1 example key as its §6.1 cnf.jkt', () => {
    const x = 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs';
    const y = '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA';
    expect(jwkThumbprint({ x, y })).toBe('0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I');
  });

  it('a fresh proof for this request and token verifies; it is spent once, by the caller', async () => {
    const d = await desktop();
    const proof = await dpopProof(d, { method: 'GET', url: `${URL_}?after=3`, accessToken: TOKEN });
    const ok = verifyDpopProof(proof, want);
    expect(ok.ok && ok.chain[0]).toEqual(d.certificateDer);
    const jwk = await crypto.subtle.exportKey('jwk', d.keys.publicKey);
    expect(ok.ok && ok.jkt).toBe(jwkThumbprint({ x: jwk.x!, y: jwk.y! }));
    // Verifying spends nothing: only the caller, once every other check has passed.
    expect(verifyDpopProof(proof, want).ok).toBe(true);
    const replay = new MemoryDpopReplay();
    if (!ok.ok) throw new Error(ok.why);
    expect(await replay.spend(ok)).toBe(true);
    expect(await replay.spend(ok)).toBe(false);
    // Past its window the jti may be forgotten: the proof is stale by then anyway.
    expect(await replay.spend(ok, ok.expiresAtMs + 1)).toBe(true);
  });

  it('compares htu by scheme, host and path (RFC 9449 §4.3), against the public origins', async () => {
    const d = await desktop();
    const proof = await dpopProof(d, { method: 'GET', url: URL_, accessToken: TOKEN });
    const at = (origins: string[]) => why(verifyDpopProof(proof, { ...want, origins }));
    expect(at(['https://pakawaaz.example'])).toBe('accepted');
    expect(at(['https://other.example', 'https://pakawaaz.example'])).toBe('accepted');
    expect(at(['http://pakawaaz.example'])).toMatch(/another server/);
    expect(at(['https://pakawaaz.example:8443'])).toMatch(/another server/);
    expect(at(['https://evil.example'])).toMatch(/another server/);
    // Normalised: the default port and the host's case do not matter.
    const upper = await dpopProof(d, {
      method: 'GET',
      url: 'HTTPS://PAKAWAAZ.example:443/api/v1/chat/inbox#x',
      accessToken: TOKEN,
    });
    expect(why(verifyDpopProof(upper, want))).toBe('accepted');
  });

  it('refuses another method, path or token, a stale proof and a certificate of another key', async () => {
    const d = await desktop();
    const proof = await dpopProof(d, { method: 'GET', url: URL_, accessToken: TOKEN });
    expect(verifyDpopProof(proof, { ...want, method: 'POST' }).ok).toBe(false);
    expect(verifyDpopProof(proof, { ...want, path: '/api/v1/chat/groups' }).ok).toBe(false);
    expect(verifyDpopProof(proof, { ...want, accessToken: `${TOKEN}x` }).ok).toBe(false);
    expect(why(verifyDpopProof(proof, want, Date.now() + 120_000))).toMatch(/fresh/);
    const other = await desktop();
    const mixed = await dpopProof(
      { keys: d.keys, certificateDer: other.certificateDer },
      { method: 'GET', url: URL_, accessToken: TOKEN },
    );
    expect(why(verifyDpopProof(mixed, want))).toMatch(/certificate/);
    const [h, c, s] = proof.split('.');
    const flipped = `${h}.${c}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expect(why(verifyDpopProof(flipped, want))).toMatch(/signature/);
  });
});

describe('a desktop device on a device route (token bound to its key, proof, certificate)', () => {
  const USER = 'aisha';
  const principal = (dpopJkt?: string): Principal => ({
    actor: { type: 'official', id: USER },
    name: USER,
    roles: [],
    institutionId: null,
    scope: NATIONAL_SCOPE,
    amr: ['pwd'],
    acr: 'aal1',
    tokenId: 't1',
    ...(dpopJkt ? { dpopJkt } : {}),
  });
  const devices = (ok: boolean): DeviceAuthenticator => ({
    authenticate: () =>
      Promise.resolve(
        ok
          ? {
              ok: true,
              device: {
                deviceId: 'd1',
                userId: USER,
                institutionId: null,
                certThumbprint: 'x',
                compliance: 'compliant',
                kind: 'desktop',
              },
            }
          : { ok: false, reason: 'revoked' },
      ),
  });
  async function setUp() {
    const d = await desktop();
    const jwk = await crypto.subtle.exportKey('jwk', d.keys.publicKey);
    const jkt = jwkThumbprint({ x: jwk.x!, y: jwk.y! });
    const proof = await dpopProof(d, { method: 'GET', url: URL_, accessToken: TOKEN });
    const req = { authorization: `DPoP ${TOKEN}`, proof, method: 'GET', path: want.path, origins: ORIGINS };
    return { jkt, req };
  }
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: { code?: string }) => e.code,
    );

  it('refuses a token that is not bound to the proof key (cnf.jkt), or bound to another key', async () => {
    const { jkt, req } = await setUp();
    const replay = new MemoryDpopReplay();
    const as = (p: Principal) => ({
      verifier: { verify: () => Promise.resolve(p) },
      devices: devices(true),
      replay,
    });
    expect(await code(desktopDevice(req, as(principal())))).toBe('dpop_binding_failed');
    expect(await code(desktopDevice(req, as(principal(`${jkt.slice(1)}A`))))).toBe('dpop_binding_failed');
    expect(await code(desktopDevice(req, as(principal(jkt))))).toBe('accepted');
    expect(await code(desktopDevice(req, as(principal(jkt))))).toBe('dpop_proof_invalid');
  });

  it('spends the jti only when token and certificate pass: a refused request burns no proof', async () => {
    const { jkt, req } = await setUp();
    const replay = new MemoryDpopReplay();
    const verifier = { verify: () => Promise.resolve(principal(jkt)) };
    const invalidToken = { verify: () => Promise.resolve(null) };
    expect(await code(desktopDevice(req, { verifier: invalidToken, devices: devices(true), replay }))).toBe(
      'unauthenticated',
    );
    expect(await code(desktopDevice(req, { verifier, devices: devices(false), replay }))).toBe(
      'device_certificate_refused',
    );
    expect(await code(desktopDevice(req, { verifier, devices: devices(true), replay }))).toBe('accepted');
  });
});
