import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, hasLowS, KeyService } from '@pakawaaz/platform';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueLoginTicket, verifyLoginTicket } from '../auth/login-ticket.js';
import { issueAccessToken, verifyAccessToken, type AccessTokenClaims } from './access-token.js';
import { useTokenSigningKey } from './signing-key.js';

// The order of P-256 (SEC 2 v2 §2.4.2), written out here rather than taken from the code under test.
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The same token with s replaced by n − s: a second valid ECDSA signature over the same bytes. */
function highSTwin(token: string): string {
  const [h, p, sig] = token.split('.') as [string, string, string];
  const raw = Buffer.from(sig, 'base64url');
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  const twin = Buffer.concat([
    raw.subarray(0, 32),
    Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'),
  ]);
  return `${h}.${p}.${twin.toString('base64url')}`;
}

const claims: AccessTokenClaims = {
  sub: '1f1c1c1c-0000-4000-8000-000000000001',
  typ: 'operator',
  name: 'admin',
  inst: null,
  roles: ['super-admin'],
  amr: ['pwd'],
  acr: 'aal1',
  sid: '1f1c1c1c-0000-4000-8000-0000000000aa',
};
const now = new Date('2026-11-22T10:00:00Z');

async function key() {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'low-s-')), 'keys', 'token.jwk');
  return useTokenSigningKey(new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' })), file);
}

describe('ES256 signature malleability', () => {
  it('the key service signs only low-S (ECDSA gives either half at random)', async () => {
    const k = await key();
    for (let i = 0; i < 64; i++) {
      const token = await issueAccessToken(claims, k, {
        issuer: 'pakawaaz',
        ttlSeconds: 600,
        now,
        jti: `j${i}`,
      });
      expect(hasLowS(token)).toBe(true);
    }
  });

  it('a high-S twin of a valid access token is refused', async () => {
    const k = await key();
    const token = await issueAccessToken(claims, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j1' });
    const twin = highSTwin(token);
    expect(twin).not.toBe(token);
    // The premise: plain ECDSA verification accepts both encodings.
    await expect(jwtVerify(twin, k.publicKey, { currentDate: now })).resolves.toBeTruthy();
    expect(await verifyAccessToken(token, k, { issuer: 'pakawaaz', now })).not.toBeNull();
    expect(await verifyAccessToken(twin, k, { issuer: 'pakawaaz', now })).toBeNull();
  });

  it('a high-S twin of a valid login ticket is refused', async () => {
    const k = await key();
    const ticket = await issueLoginTicket(
      { sub: claims.sub, amr: ['pwd'], wanted: 'aal2', stage: 'factors' },
      k,
      'pakawaaz',
      now,
    );
    const twin = highSTwin(ticket);
    await expect(jwtVerify(twin, k.publicKey, { currentDate: now })).resolves.toBeTruthy();
    expect(await verifyLoginTicket(ticket, k, 'pakawaaz', now)).not.toBeNull();
    expect(await verifyLoginTicket(twin, k, 'pakawaaz', now)).toBeNull();
  });

  it('a twin whose last signature character differs only in its unused bits is refused', async () => {
    const k = await key();
    const token = await issueAccessToken(claims, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j2' });
    const [h, p, sig] = token.split('.') as [string, string, string];
    // 64 bytes are 86 characters: the last carries 2 bits of the signature and 4 unused ones (RFC 4648 §3.5).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.slice(-1));
    const other = alphabet[last ^ 1] as string;
    const twin = `${h}.${p}.${sig.slice(0, -1)}${other}`;
    expect(twin).not.toBe(token);
    expect(Buffer.from(twin.split('.')[2] as string, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    // The premise: jose decodes the twin to the same signature and accepts it.
    await expect(jwtVerify(twin, k.publicKey, { currentDate: now })).resolves.toBeTruthy();
    expect(hasLowS(token)).toBe(true);
    expect(hasLowS(twin)).toBe(false);
    expect(await verifyAccessToken(twin, k, { issuer: 'pakawaaz', now })).toBeNull();
  });

  it('a twin with a non-canonical payload segment is refused', async () => {
    const k = await key();
    const token = await issueAccessToken(claims, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j3' });
    const [h, p, sig] = token.split('.') as [string, string, string];
    if (p.length % 4 === 0) return; // no unused bits to flip in this payload's length
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twinPayload = `${p.slice(0, -1)}${alphabet[alphabet.indexOf(p.slice(-1)) ^ 1] as string}`;
    expect(Buffer.from(twinPayload, 'base64url')).toEqual(Buffer.from(p, 'base64url'));
    expect(hasLowS(`${h}.${twinPayload}.${sig}`)).toBe(false);
  });
});
