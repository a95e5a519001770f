import { createHash, randomBytes } from 'node:crypto';

/** How long an enrolment code opens its account's first password (then it is useless). */
export const ENROLMENT_CODE_TTL_MS = 14 * 24 * 3_600_000;

const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789'; // Crockford-like: no I, L, O, U (misread, or words)

/**
 * A one-time enrolment code: 130 random bits as 26 characters of a 32-letter alphabet in groups of five,
 * easy to read aloud or type from paper. Not a password: it only lets its official choose one.
 */
export function newEnrolmentCode(): string {
  const bytes = randomBytes(26);
  let out = '';
  // 256 is a multiple of 32: taking each byte mod 32 is unbiased.
  for (let i = 0; i < 26; i++) out += ALPHABET[bytes[i]! % 32];
  return out.match(/.{1,5}/g)!.join('-');
}

/** The code as typed: case, spaces and dashes do not matter. */
export function normaliseEnrolmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

/** What is stored: SHA-256 of the normalised code (hex). */
export function enrolmentCodeHash(code: string): string {
  return createHash('sha256').update(normaliseEnrolmentCode(code), 'utf8').digest('hex');
}
