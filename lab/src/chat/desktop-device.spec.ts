import 'reflect-metadata';
import { createPublicKey, verify } from 'node:crypto';
import { X509CertificateGenerator } from '@peculiar/x509';
import { DpopReplayCache, verifyDpopProof, type DpopResult } from '@pakawaaz/platform';
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
const want = { method: 'GET', path: '/api/v1/chat/inbox', accessToken: TOKEN };

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
  it('a fresh proof for this request and token verifies, once', async () => {
    const d = await desktop();
    const proof = await dpopProof(d, { method: 'GET', url: `${URL_}?after=3`, accessToken: TOKEN });
    const replay = new DpopReplayCache();
    const ok = verifyDpopProof(proof, want, replay);
    expect(ok.ok && ok.chain[0]).toEqual(d.certificateDer);
    expect(why(verifyDpopProof(proof, want, replay))).toMatch(/jti/);
  });

  it('refuses another method, path or token, a stale proof and a certificate of another key', async () => {
    const d = await desktop();
    const proof = await dpopProof(d, { method: 'GET', url: URL_, accessToken: TOKEN });
    const fresh = () => new DpopReplayCache();
    expect(verifyDpopProof(proof, { ...want, method: 'POST' }, fresh()).ok).toBe(false);
    expect(verifyDpopProof(proof, { ...want, path: '/api/v1/chat/groups' }, fresh()).ok).toBe(false);
    expect(verifyDpopProof(proof, { ...want, accessToken: `${TOKEN}x` }, fresh()).ok).toBe(false);
    expect(why(verifyDpopProof(proof, want, fresh(), Date.now() + 120_000))).toMatch(/fresh/);
    const other = await desktop();
    const mixed = await dpopProof(
      { keys: d.keys, certificateDer: other.certificateDer },
      { method: 'GET', url: URL_, accessToken: TOKEN },
    );
    expect(why(verifyDpopProof(mixed, want, fresh()))).toMatch(/certificate/);
    const [h, c, s] = proof.split('.');
    const flipped = `${h}.${c}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
    expect(why(verifyDpopProof(flipped, want, fresh()))).toMatch(/signature/);
  });
});
