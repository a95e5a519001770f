import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Seals identity's small secrets at rest — TOTP seeds and RADIUS shared secrets, which must be recovered in
 * clear to compute codes and authenticators, and the requester's half of a two-person one-time password
 * until the approval — with AES-256-GCM under one key kept outside the database.
 * The purpose is bound as associated data, so a sealed TOTP seed cannot be replayed as a RADIUS secret.
 */
export type SecretPurpose = 'totp-seed' | 'radius-secret' | 'factor-reset-part';

export type SecretBox = {
  seal(purpose: SecretPurpose, plaintext: Buffer): string;
  /** Throws SecretBoxError when the value was not sealed by this key for this purpose. */
  open(purpose: SecretPurpose, sealed: string): Buffer;
};

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(key: Buffer, random: (n: number) => Buffer = randomBytes): SecretBox {
  if (key.length !== KEY_BYTES) throw new RangeError('the identity secrets key must be 32 bytes');
  return {
    seal(purpose, plaintext) {
      const iv = random(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(purpose));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        Buffer.concat([body, cipher.getAuthTag()]).toString('base64url'),
      ].join('.');
    },
    open(purpose, sealed) {
      const [version, iv, data, ...rest] = sealed.split('.');
      if (version !== VERSION || !iv || !data || rest.length > 0)
        throw new SecretBoxError('not a sealed secret');
      const bytes = Buffer.from(data, 'base64url');
      if (bytes.length < TAG_BYTES) throw new SecretBoxError('sealed secret is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
          .setAAD(Buffer.from(purpose))
          .setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]);
      } catch {
        throw new SecretBoxError('sealed secret does not open with this key (wrong key file, or tampered)');
      }
    },
  };
}

/**
 * Loads the key file (base64 of 32 bytes), creating it with mode 0600 on first start. Like the token signing
 * key, every node of a cluster must share it; without it the sealed secrets cannot be opened.
 */
export async function loadOrCreateSecretBoxKey(file: string): Promise<Buffer> {
  try {
    return parseKey(await readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return parseKey(await readFile(file, 'utf8'), file);
}

function parseKey(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  // Never quote the file: it is the key.
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()))
    throw new Error(
      `The identity secrets key ${file} is not base64 of 32 bytes. Restore it from your backup.`,
    );
  return key;
}
