import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { SigningKey } from './access-token.js';

/**
 * Loads the ES256 token-signing key from a JWK file, creating it (mode 0600) on first start. Every node of
 * a cluster must mount the same file; rotation (several keys in the JWKS) arrives with identity sessions.
 */
export async function loadOrCreateSigningKey(file: string): Promise<SigningKey> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      // A JSON syntax error message quotes the file's text, i.e. the private key: never repeat it.
      const reason = err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message;
      throw new Error(`Cannot read the token signing key ${file}: ${reason}. Fix or remove the file.`);
    }
    jwk = await createKeyFile(file);
  }
  return fromPrivateJwk(jwk);
}

/**
 * Writes a new key to a private temp file and hard-links it into place: a reader never sees a half-written
 * key, and when two nodes race on a shared folder the first link wins and both use that key.
 */
async function createKeyFile(file: string): Promise<JWK> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.privateKey)), alg: 'ES256', use: 'sig' };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
    return jwk;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(await readFile(file, 'utf8')) as JWK;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

export async function fromPrivateJwk(jwk: JWK): Promise<SigningKey> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d)
    throw new Error('the token signing key must be a private P-256 JWK');
  const publicJwk = publicPart(jwk);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    // An EC JWK always imports as a CryptoKey (only 'oct' keys come back as bytes).
    privateKey: (await importJWK({ ...jwk, alg: 'ES256' }, 'ES256')) as CryptoKey,
    publicKey: (await importJWK({ ...publicJwk, alg: 'ES256' }, 'ES256')) as CryptoKey,
  };
}

/** The public JWK (kty, crv, x, y) — what /.well-known/jwks.json publishes. */
export function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}
