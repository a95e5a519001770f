import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateSigningKey, publicPart } from '../../src/tokens/signing-key.js';

let tmp: string;
let n = 0;
const fresh = () => path.join(tmp, `case-${++n}`, 'keys', 'token-signing-key.jwk');
const mode = async (p: string) => (await stat(p)).mode & 0o777;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'pakawaaz-signing-key-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected loading the key to fail');
}

describe('loadOrCreateSigningKey', () => {
  it('creates a private P-256 JWK with mode 0600 in a 0700 folder on first start', async () => {
    const file = fresh();
    const key = await loadOrCreateSigningKey(file);

    expect(await mode(file)).toBe(0o600);
    expect(await mode(path.dirname(file))).toBe(0o700);
    const jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(typeof jwk.d).toBe('string');
    // kid is the RFC 7638 thumbprint of the public key, so every node mounting the file publishes the same kid.
    expect(key.kid).toBe(await calculateJwkThumbprint(publicPart(jwk), 'sha256'));
  });

  it('reuses the key on the next load: same kid, and tokens signed before verify after', async () => {
    const file = fresh();
    const first = await loadOrCreateSigningKey(file);
    const before = await readFile(file, 'utf8');
    const jwt = await new SignJWT({ sub: 'admin' })
      .setProtectedHeader({ alg: 'ES256', kid: first.kid })
      .sign(first.privateKey);

    const second = await loadOrCreateSigningKey(file);
    expect(second.kid).toBe(first.kid);
    expect(await readFile(file, 'utf8')).toBe(before);
    const { payload } = await jwtVerify(jwt, second.publicKey, { algorithms: ['ES256'] });
    expect(payload.sub).toBe('admin');
  });

  it('creates a different key for a different file', async () => {
    const a = await loadOrCreateSigningKey(fresh());
    const b = await loadOrCreateSigningKey(fresh());
    expect(a.kid).not.toBe(b.kid);
  });

  it('refuses a corrupt file with an error naming the file and what to do, and leaves the file alone', async () => {
    const file = fresh();
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{"kty":"EC","crv":"P-2', { mode: 0o600 });

    const err = await failure(loadOrCreateSigningKey(file));
    expect(err.message).toContain(`Cannot read the token signing key ${file}`);
    expect(err.message).toContain('Fix or remove the file');
    expect(err.message).toContain('not valid JSON');
    expect(err.message).not.toContain('P-2'); // the file's content (a private key) is never quoted
    // Never silently replace a key: every token issued with it would stop verifying.
    expect(await readFile(file, 'utf8')).toBe('{"kty":"EC","crv":"P-2');
  });

  it('refuses a public-only or non-P-256 JWK', async () => {
    const good = JSON.parse(
      await readFile(
        await (async () => {
          const f = fresh();
          await loadOrCreateSigningKey(f);
          return f;
        })(),
        'utf8',
      ),
    ) as JWK;

    for (const bad of [publicPart(good), { ...good, crv: 'P-384' }, { kty: 'oct', k: 'c2VjcmV0' }]) {
      const file = fresh();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(bad), { mode: 0o600 });
      const err = await failure(loadOrCreateSigningKey(file));
      expect(err.message).toMatch(/private P-256 JWK/);
    }
  });

  it('reports an unreadable path (a folder where the file should be) rather than generating a key', async () => {
    const file = fresh();
    await mkdir(file, { recursive: true });
    const err = await failure(loadOrCreateSigningKey(file));
    expect(err.message).toContain(`Cannot read the token signing key ${file}`);
  });

  // KNOWN BUG (reported, not fixed here): two nodes starting at once on a shared key folder both see ENOENT,
  // both generate, and the loser's `flag: 'wx'` write fails with a raw EEXIST instead of loading the winner's
  // key. Drop `.fails` once signing-key.ts re-reads the file on EEXIST.
  it('gives two concurrent first loads the same key', async () => {
    const file = fresh();
    const [a, b] = await Promise.all([loadOrCreateSigningKey(file), loadOrCreateSigningKey(file)]);
    expect(a.kid).toBe(b.kid);
  });
});
