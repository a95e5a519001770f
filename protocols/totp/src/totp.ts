import { timingSafeEqual } from 'node:crypto';
import { generateSync, generateURI, ScureBase32Plugin } from 'otplib';

/**
 * TOTP second factor (RFC 6238): HMAC-SHA-1, 30 s steps, 6 digits, ±1 step of clock drift.
 * Pure: the caller supplies randomness and the current time, and stores the last accepted step
 * so that every code is accepted once only.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW_STEPS = 1;
export const TOTP_SECRET_BYTES = 20;
export const TOTP_ISSUER = 'Pakawaaz';

export type RandomBytes = (n: number) => Uint8Array;

export type TotpVerification =
  | { readonly ok: true; readonly step: number }
  | { readonly ok: false; readonly reason: 'invalid' | 'replayed' | 'malformed' };

export type VerifyTotpInput = {
  /** Base32 seed as produced by {@link newTotpSecret}. */
  readonly secret: string;
  /** What the user typed. */
  readonly code: string;
  readonly now: Date;
  /** Time step of the last accepted code for this factor, or null if none was ever accepted. */
  readonly lastUsedStep: number | null;
};

const base32 = new ScureBase32Plugin();
const CODE_PATTERN = /^[0-9]{6}$/;

/** A fresh 160-bit seed (RFC 4226 §4 recommends 160 bits), base32 without padding. */
export function newTotpSecret(random: RandomBytes): string {
  const bytes = random(TOTP_SECRET_BYTES);
  if (bytes.length !== TOTP_SECRET_BYTES) throw new RangeError('random source returned the wrong length');
  return base32.encode(bytes, { padding: false });
}

/**
 * Key URI (Google Authenticator key-uri format) for the enrolment QR code: the issuer appears both
 * as the label prefix and as the `issuer` parameter; neither issuer nor account may contain ':'.
 */
export function totpUri(input: { issuer: string; account: string; secret: string }): string {
  const { issuer, account, secret } = input;
  if (!issuer || !account || issuer.includes(':') || account.includes(':')) {
    throw new RangeError('issuer and account must be non-empty and must not contain ":"');
  }
  decodeSecret(secret);
  return generateURI({
    issuer,
    label: account,
    secret,
    algorithm: 'sha1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  });
}

/** The RFC 6238 time step (T) that contains `now`. */
export function totpStepAt(now: Date): number {
  const ms = now.getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError('now must be a valid date after the epoch');
  return Math.floor(ms / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a given step; `digits` exists only for the RFC 6238 8-digit test vectors. */
export function totpCodeAtStep(secret: string | Uint8Array, step: number, digits = TOTP_DIGITS): string {
  const key = typeof secret === 'string' ? decodeSecret(secret) : secret;
  return generateSync({
    secret: key,
    epoch: step * TOTP_PERIOD_SECONDS,
    period: TOTP_PERIOD_SECONDS,
    algorithm: 'sha1',
    digits,
  });
}

/**
 * Checks a code against steps now-1, now and now+1. Every candidate step is computed and compared
 * in constant time (no early exit). Among matching steps the newest one is taken; a code whose step
 * is ≤ lastUsedStep is 'replayed', which also rejects an older, still-in-window code once a newer
 * one has been accepted.
 */
export function verifyTotp(input: VerifyTotpInput): TotpVerification {
  const { code, now, lastUsedStep } = input;
  const key = decodeSecret(input.secret);
  const current = totpStepAt(now);
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(code, 'ascii');
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    if (step < 0) continue;
    const expected = Buffer.from(totpCodeAtStep(key, step), 'ascii');
    if (timingSafeEqual(given, expected)) matched = step;
  }
  if (matched === null) return { ok: false, reason: 'invalid' };
  if (lastUsedStep !== null && matched <= lastUsedStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step: matched };
}

function decodeSecret(secret: string): Uint8Array {
  let key: Uint8Array;
  try {
    key = base32.decode(secret);
  } catch {
    throw new RangeError('TOTP secret is not valid base32');
  }
  if (key.length < 16) throw new RangeError('TOTP secret is shorter than 128 bits');
  return key;
}
