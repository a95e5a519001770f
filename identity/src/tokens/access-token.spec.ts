import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, FileKeyBackend, KeyService } from '@pakawaaz/platform';
import { importJWK, SignJWT, type CryptoKey } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken, verifyAccessToken, type AccessTokenClaims } from './access-token.js';
import { useTokenSigningKey } from './signing-key.js';

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

/** A token-signing key from the file backend, and its private half (to forge tokens outside the key service). */
async function key() {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'access-token-')), 'keys', 'token.jwk');
  const k = await useTokenSigningKey(
    new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' })),
    file,
  );
  const jwk = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as Record<
    string,
    string
  >;
  return { ...k, privateKey: (await importJWK(jwk, 'ES256')) as CryptoKey };
}

describe('access tokens', () => {
  it('round-trips claims with ES256, kid, issuer, audience and expiry', async () => {
    const k = await key();
    const token = await issueAccessToken(claims, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j1' });
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    expect(header).toEqual({ alg: 'ES256', kid: k.kid, typ: 'at+jwt' });
    const verified = await verifyAccessToken(token, k, {
      issuer: 'pakawaaz',
      now: new Date(now.getTime() + 599_000),
    });
    expect(verified).toMatchObject({ ...claims, jti: 'j1', exp: now.getTime() / 1000 + 600 });
  });

  it('carries the RFC 8705 certificate binding of a handset token', async () => {
    const k = await key();
    const bound = {
      ...claims,
      typ: 'official' as const,
      cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' },
    };
    const token = await issueAccessToken(bound, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j3' });
    const verified = await verifyAccessToken(token, k, { issuer: 'pakawaaz', now });
    expect(verified?.cnf).toEqual(bound.cnf);
    expect(verified?.sid).toBe(claims.sid);
  });

  it('rejects expired tokens, other issuers, other keys and tampered payloads', async () => {
    const k = await key();
    const token = await issueAccessToken(claims, k, { issuer: 'pakawaaz', ttlSeconds: 600, now, jti: 'j2' });
    expect(
      await verifyAccessToken(token, k, { issuer: 'pakawaaz', now: new Date(now.getTime() + 601_000) }),
    ).toBeNull();
    expect(await verifyAccessToken(token, k, { issuer: 'someone-else', now })).toBeNull();
    expect(await verifyAccessToken(token, await key(), { issuer: 'pakawaaz', now })).toBeNull();
    const [h, p, s] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, roles: ['super-admin', 'billing'] })).toString(
      'base64url',
    );
    expect(await verifyAccessToken(`${h}.${forged}.${s}`, k, { issuer: 'pakawaaz', now })).toBeNull();
  });

  it('rejects a token signed with alg none or without the at+jwt type', async () => {
    const k = await key();
    const unsigned = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, iss: 'pakawaaz', aud: 'pakawaaz-api', exp: 2e9, iat: 1, jti: 'x' })).toString('base64url')}.`;
    expect(await verifyAccessToken(unsigned, k, { issuer: 'pakawaaz', now })).toBeNull();
    const plainJwt = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: k.kid })
      .setIssuer('pakawaaz')
      .setAudience('pakawaaz-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti('x')
      .sign(k.privateKey);
    expect(await verifyAccessToken(plainJwt, k, { issuer: 'pakawaaz', now: new Date() })).toBeNull();
  });
});
