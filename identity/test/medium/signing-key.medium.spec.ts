import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chmod } from 'node:fs/promises';
import { createLogger, FileKeyBackend, KeyService, signCompactJws } from '@pakawaaz/platform';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTokenSigningKey } from '../../src/tokens/signing-key.js';

const publicPart = (jwk: JWK): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
/** Every load is a fresh key service, as a restart or another node would be. */
const loadOrCreateSigningKey = (file: string) =>
  useTokenSigningKey(new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' })), file);

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
    const jwt = await signCompactJws(first.signer, { kid: first.kid }, { sub: 'admin' });

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
    expect(err.message).toContain(`Cannot read the signing key ${file}`);
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
    expect(err.message).toContain(`Cannot read the ES256 signing key ${file}: it is not a regular file`);
  });

  it('refuses a key file that other users may read, saying how to fix it', async () => {
    const file = fresh();
    await loadOrCreateSigningKey(file);
    await chmod(file, 0o644);
    const err = await failure(loadOrCreateSigningKey(file));
    expect(err.message).toContain(`${file} is readable by other users (mode 0644)`);
    expect(err.message).toContain(`chmod 600 ${file}`);
  });

  it('keeps using a JWK file written by release 0.1 (same kid, so issued tokens stay valid)', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.privateKey)), alg: 'ES256', use: 'sig' };
    const file = fresh();
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify(jwk), { mode: 0o600 });
    const key = await loadOrCreateSigningKey(file);
    expect(key.kid).toBe(await calculateJwkThumbprint(publicPart(jwk), 'sha256'));
    const jwt = await signCompactJws(key.signer, { kid: key.kid }, { sub: 'x' });
    expect((await jwtVerify(jwt, pair.publicKey, { algorithms: ['ES256'] })).payload.sub).toBe('x');
  });

  // Two nodes starting at once on a shared key folder: the first hard link wins, the other loads that key.
  it('gives two concurrent first loads the same key', async () => {
    const file = fresh();
    const [a, b] = await Promise.all([loadOrCreateSigningKey(file), loadOrCreateSigningKey(file)]);
    expect(a.kid).toBe(b.kid);
  });
});
