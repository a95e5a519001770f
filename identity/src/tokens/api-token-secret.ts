import { createHash, randomBytes } from 'node:crypto';

/** API tokens look like `pkz_<43 base64url chars>`; they carry no dots, which tells them apart from JWTs. */
export const API_TOKEN_PREFIX = 'pkz_';

export function newApiTokenSecret(random: (n: number) => Buffer = randomBytes): string {
  return API_TOKEN_PREFIX + random(32).toString('base64url');
}

/** Tokens are high-entropy, so a fast hash is enough (no password stretching); only the hash is stored. */
export function hashApiTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export const looksLikeApiToken = (token: string): boolean => !token.includes('.');
