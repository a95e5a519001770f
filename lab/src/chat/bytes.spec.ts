import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { b64u, derFromPem, fromB64u, sameBytes } from './bytes.js';
import { identityOf } from './chat-auth.js';
import { testDeviceCa } from './chat-fixtures.js';
import { certificatePoint, deviceKeyFromPem } from './device-key.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
/** The uncompressed point of a key as OpenSSL exports it (JWK x ‖ y): the reference, not our code. */
const opensslPoint = (jwk: { x?: string; y?: string }) =>
  Uint8Array.from([0x04, ...Buffer.from(jwk.x!, 'base64url'), ...Buffer.from(jwk.y!, 'base64url')]);

describe('portable bytes and certificates (what the browser bundle runs instead of Buffer and node:crypto)', () => {
  it('base64url: the RFC 4648 §10 test vectors, the URL-safe alphabet, no padding', () => {
    const vectors = ['', 'Zg', 'Zm8', 'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy'];
    for (const [i, v] of vectors.entries()) {
      expect(b64u(utf8('foobar'.slice(0, i)))).toBe(v);
      expect(new TextDecoder().decode(fromB64u(v))).toBe('foobar'.slice(0, i));
    }
    expect(b64u(Uint8Array.of(0xfb, 0xff, 0xbf))).toBe('-_-_');
    expect(fromB64u('-_-_')).toEqual(Uint8Array.of(0xfb, 0xff, 0xbf));
    const big = crypto.getRandomValues(new Uint8Array(60_000)); // above the 32 KiB chunking
    expect(b64u(big)).toBe(Buffer.from(big).toString('base64url'));
    expect(sameBytes(fromB64u(b64u(big)), big)).toBe(true);
    expect(sameBytes(big, big.subarray(1))).toBe(false);
  });

  it('reads a device certificate and key as OpenSSL does: point, scalar, device and official', async () => {
    const ca = await testDeviceCa();
    const d = await ca.device('dev-7', 'user-7');
    const pem = new X509Certificate(d.certificateDer).toString();
    expect(derFromPem(pem)).toEqual(new Uint8Array(d.certificateDer));
    const openssl = new X509Certificate(d.certificateDer);
    const point = opensslPoint(openssl.publicKey.export({ format: 'jwk' }));
    expect(certificatePoint(d.certificateDer)).toEqual(point);
    const key = deviceKeyFromPem(d.keyPem);
    expect(key.publicKey).toEqual(
      opensslPoint(createPublicKey(createPrivateKey(d.keyPem)).export({ format: 'jwk' })),
    );
    expect(key.signKey).toEqual(
      new Uint8Array(Buffer.from(createPrivateKey(d.keyPem).export({ format: 'jwk' }).d!, 'base64url')),
    );
    const id = identityOf({ credentialType: 'x509', certificates: [d.certificateDer] });
    expect(id).toEqual({
      deviceId: 'dev-7',
      userId: 'user-7',
      serial: openssl.serialNumber.toLowerCase(), // as node:crypto (OpenSSL) printed it before
    });
    expect(() => certificatePoint(ca.caDer.subarray(0, 20))).toThrow();
  });
});
