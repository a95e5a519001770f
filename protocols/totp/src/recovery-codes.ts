import { scrypt, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './totp.js';

/**
 * Single-use recovery codes for officials who lost their authenticator.
 *
 * Codes look like `xxxx-xxxx-xxxx` over a 32-symbol, lower-case alphabet without the look-alikes
 * 0/o/1/l: 12 symbols × 5 bits = 60 bits of entropy, drawn without modulo bias (256 is a multiple of 32).
 *
 * Storage: only a hash is kept. The codes are random (60 bits), not user-chosen, so no dictionary
 * applies and password-grade stretching (argon2id) is unnecessary; a salted KDF is enough. One salt
 * per user (per generated set) defeats precomputation across users, and a *modest* scrypt cost
 * (N=2^14, r=8, p=1, ~16 MiB, tens of ms) multiplies the 2^60 offline search by ~2^14 at the price of a
 * single KDF call per verification attempt (all codes of a set share the salt, so one derivation is
 * compared against every stored code). Async scrypt runs on libuv's pool, off the event loop.
 */
export const RECOVERY_CODE_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';
export const RECOVERY_CODE_GROUPS = 3;
export const RECOVERY_CODE_GROUP_LENGTH = 4;
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_ENTROPY_BITS =
  RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH * Math.log2(RECOVERY_CODE_ALPHABET.length);

const CODE_LENGTH = RECOVERY_CODE_GROUPS * RECOVERY_CODE_GROUP_LENGTH;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const HASH_PREFIX = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$`;
const NORMALISED_PATTERN = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** What is persisted per code: `scrypt$N$r$p$<salt b64url>$<key b64url>` and whether it was used. */
export type StoredRecoveryCode = { readonly hash: string; readonly used: boolean };

export type RecoveryCodeSet = {
  /** Shown to the official exactly once, never persisted. */
  readonly codes: readonly string[];
  readonly stored: readonly StoredRecoveryCode[];
};

export async function generateRecoveryCodes(
  random: RandomBytes,
  count: number = RECOVERY_CODE_COUNT,
): Promise<RecoveryCodeSet> {
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new RangeError('count must be 1..100');
  const salt = Buffer.from(random(SALT_BYTES));
  if (salt.length !== SALT_BYTES) throw new RangeError('random source returned the wrong length');
  const codes = Array.from({ length: count }, () => newRecoveryCode(random));
  const stored = await Promise.all(
    codes.map(async (code) => ({ hash: encodeHash(salt, await derive(normalise(code), salt)), used: false })),
  );
  return { codes, stored };
}

/** Lower-cases and strips dashes and whitespace; null when the result cannot be a recovery code. */
export function normaliseRecoveryCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const code = input.toLowerCase().replace(/[\s-]/g, '');
  return NORMALISED_PATTERN.test(code) ? code : null;
}

/**
 * Index of the unused stored code matching `input`, or -1. Every candidate is compared in constant
 * time and the loop never exits early; the caller marks the returned index as used (single use).
 */
export async function verifyRecoveryCode(
  input: string,
  stored: readonly StoredRecoveryCode[],
): Promise<number> {
  const code = normaliseRecoveryCode(input);
  if (code === null) return -1;
  const derived = new Map<string, Buffer>();
  let found = -1;
  for (const [index, entry] of stored.entries()) {
    const parsed = parseHash(entry.hash);
    if (!parsed) continue;
    let mine = derived.get(parsed.salt);
    if (!mine) {
      mine = await derive(code, Buffer.from(parsed.salt, 'base64url'));
      derived.set(parsed.salt, mine);
    }
    const equal = mine.length === parsed.key.length && timingSafeEqual(mine, parsed.key);
    if (equal && !entry.used && found === -1) found = index;
  }
  return found;
}

function newRecoveryCode(random: RandomBytes): string {
  const bytes = random(CODE_LENGTH);
  if (bytes.length !== CODE_LENGTH) throw new RangeError('random source returned the wrong length');
  const symbols = Array.from(bytes, (b) => RECOVERY_CODE_ALPHABET[b & 31] ?? '');
  const groups: string[] = [];
  for (let i = 0; i < CODE_LENGTH; i += RECOVERY_CODE_GROUP_LENGTH) {
    groups.push(symbols.slice(i, i + RECOVERY_CODE_GROUP_LENGTH).join(''));
  }
  return groups.join('-');
}

function normalise(code: string): string {
  const n = normaliseRecoveryCode(code);
  if (n === null) throw new Error('generated recovery code is malformed');
  return n;
}

function derive(code: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(code, salt, KEY_BYTES, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function encodeHash(salt: Buffer, key: Buffer): string {
  return `${HASH_PREFIX}${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parseHash(hash: string): { salt: string; key: Buffer } | null {
  if (!hash.startsWith(HASH_PREFIX)) return null;
  const [salt, key, ...rest] = hash.slice(HASH_PREFIX.length).split('$');
  if (!salt || !key || rest.length > 0) return null;
  return { salt, key: Buffer.from(key, 'base64url') };
}
