import { describe, expect, it } from 'vitest';
import {
  API_TOKEN_PREFIX,
  hashApiTokenSecret,
  looksLikeApiToken,
  newApiTokenSecret,
} from './api-token-secret.js';

const FORMAT = /^pkz_[A-Za-z0-9_-]{43}$/;

describe('newApiTokenSecret', () => {
  it('is pkz_ followed by 43 base64url characters (32 random bytes), with no dots', () => {
    const secret = newApiTokenSecret();
    expect(API_TOKEN_PREFIX).toBe('pkz_');
    expect(secret).toMatch(FORMAT);
    expect(secret).not.toContain('.');
    expect(Buffer.from(secret.slice(4), 'base64url')).toHaveLength(32);
  });

  it('encodes the random bytes as base64url, never + / or = padding', () => {
    const asked: number[] = [];
    const allOnes = (n: number) => {
      asked.push(n);
      return Buffer.alloc(n, 0xff);
    };
    // 32 × 0xff is "////…/8=" in standard base64; base64url turns / into _ and drops the padding.
    expect(newApiTokenSecret(allOnes)).toBe(`pkz_${'_'.repeat(42)}8`);
    expect(asked).toEqual([32]);
    expect(newApiTokenSecret((n) => Buffer.alloc(n, 0xfb))).toMatch(FORMAT);
  });

  it('is different on every call', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newApiTokenSecret()));
    expect(secrets.size).toBe(200);
    for (const s of secrets) expect(s).toMatch(FORMAT);
  });
});

describe('hashApiTokenSecret', () => {
  it('is the hex SHA-256 of the UTF-8 secret (FIPS 180-2 vector)', () => {
    expect(hashApiTokenSecret('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('is stable for a secret, differs between secrets and never contains the secret', () => {
    const secret = newApiTokenSecret();
    const hash = hashApiTokenSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiTokenSecret(secret)).toBe(hash);
    expect(hashApiTokenSecret(newApiTokenSecret())).not.toBe(hash);
    expect(hash).not.toContain(secret.slice(4, 20));
  });
});

describe('looksLikeApiToken', () => {
  it('tells API tokens from JWTs (which always contain dots)', () => {
    expect(looksLikeApiToken(newApiTokenSecret())).toBe(true);
    expect(looksLikeApiToken('a'.repeat(64))).toBe(true); // e.g. a PAKAWAAZ_BOOTSTRAP_TOKEN from `openssl rand -hex 32`
    const jwt =
      'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJhZG1pbiJ9.MEUCIQDx1zYyZ2ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm';
    expect(looksLikeApiToken(jwt)).toBe(false);
  });
});
