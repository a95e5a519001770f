import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { concurrencyLimit } from './concurrency-limit.js';
import { normalisePassword } from './password-policy.js';

/** OWASP argon2id parameters (m=19 MiB, t=2, p=1). argon2's async API runs on libuv's thread pool, off the event loop. */
export const ARGON2_PARAMS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * At most cores − 1 hashes (at least one) run at once: argon2 is CPU-bound on libuv's pool, and without a cap
 * a login storm takes every core and the event loop (health checks, RADIUS, token checks) waits behind it.
 */
export const ARGON2_CONCURRENCY = Math.max(1, availableParallelism() - 1);
const limited = concurrencyLimit(ARGON2_CONCURRENCY);

/** Passwords are NFKC-normalised before hashing and verifying (NIST SP 800-63B §3.1.1.2). */
export function hashPassword(password: string): Promise<string> {
  return limited(() => argon2.hash(normalisePassword(password), ARGON2_PARAMS));
}

/**
 * Verifies a password against a stored hash. With no hash (unknown account, or one not enrolled), it still spends the same work
 * on a dummy hash, so response time does not reveal whether the account exists.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  // An official who has not enrolled yet has no hash (a marker): answered like an unknown account, same work.
  if (!hash || !hash.startsWith('$argon2')) {
    const hash = await dummyHash();
    await limited(() => argon2.verify(hash, normalisePassword(password)));
    return false;
  }
  try {
    return await limited(() => argon2.verify(hash, normalisePassword(password)));
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= argon2.hash('pakawaaz-dummy-password', ARGON2_PARAMS));
