import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { turnCredentials } from './turn-credentials.js';

describe('TURN REST API credentials', () => {
  const now = Date.UTC(2026, 11, 5, 12, 0, 0);
  const c = turnCredentials({
    secret: 'north-wind-shared-secret',
    urls: ['turn:turn.example:3478?transport=udp'],
    id: 'device-42',
    ttlSeconds: 600,
    nowMs: now,
  });

  it('names the expiry first, then the device (draft-uberti-behave-turn-rest-00 §2.2)', () => {
    expect(c.username).toBe(`${now / 1000 + 600}:device-42`);
    expect(c.expiresAt).toBe('2026-12-05T12:10:00.000Z');
  });

  it('is base64 HMAC-SHA1 of the username under the shared secret, as OpenSSL computes it', () => {
    const openssl = execFileSync(
      'openssl',
      ['dgst', '-sha1', '-hmac', 'north-wind-shared-secret', '-binary'],
      {
        input: c.username,
      },
    ).toString('base64');
    expect(c.credential).toBe(openssl);
    expect(Buffer.from(c.credential, 'base64')).toHaveLength(20);
  });
});
