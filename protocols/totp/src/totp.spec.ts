import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  newTotpSecret,
  totpCodeAtStep,
  totpStepAt,
  totpUri,
  verifyTotp,
  TOTP_PERIOD_SECONDS,
  type VerifyTotpInput,
} from './totp.js';

/** RFC 6238 Appendix B uses the ASCII seed "12345678901234567890" for SHA-1. */
const RFC_SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: readonly (readonly [number, string])[] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

const at = (unixSeconds: number): Date => new Date(unixSeconds * 1000);
const stepOf = (unixSeconds: number): number => Math.floor(unixSeconds / TOTP_PERIOD_SECONDS);

/** A seeded byte stream (SHA-256 in counter mode), so the "random" secrets are the same on every run. */
function seededBytes(seed: string): (n: number) => Buffer {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n) => {
    while (pool.length < n) {
      pool = Buffer.concat([pool, createHash('sha256').update(`${seed}/${counter++}`).digest()]);
    }
    const out = Buffer.from(pool.subarray(0, n));
    pool = pool.subarray(n);
    return out;
  };
}

describe('RFC 6238 Appendix B (SHA-1)', () => {
  it('seed "12345678901234567890" encodes to the expected base32', () => {
    expect(newTotpSecret(() => Buffer.from('12345678901234567890', 'ascii'))).toBe(RFC_SEED);
  });

  it.each(RFC_VECTORS)('T=%i gives the 8-digit value %s', (t, expected) => {
    expect(totpCodeAtStep(RFC_SEED, stepOf(t), 8)).toBe(expected);
  });

  it.each(RFC_VECTORS)('T=%i gives the last 6 digits of %s and verifies', (t, expected) => {
    const six = expected.slice(-6);
    expect(totpCodeAtStep(RFC_SEED, stepOf(t))).toBe(six);
    expect(verifyTotp({ secret: RFC_SEED, code: six, now: at(t), lastUsedStep: null })).toEqual({
      ok: true,
      step: stepOf(t),
    });
  });
});

describe('newTotpSecret', () => {
  it('takes 20 bytes from the random source and returns 32 base32 characters', () => {
    const asked: number[] = [];
    const secret = newTotpSecret((n) => {
      asked.push(n);
      return randomBytes(n);
    });
    expect(asked).toEqual([20]);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('rejects a random source that returns the wrong length', () => {
    expect(() => newTotpSecret(() => new Uint8Array(10))).toThrow(RangeError);
  });
});

describe('totpUri', () => {
  it('follows the key-uri format with the issuer as prefix and parameter', () => {
    const uri = new URL(totpUri({ issuer: 'Pakawaaz', account: 'ali.khan@mofa.gov.pk', secret: RFC_SEED }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Pakawaaz:ali.khan@mofa.gov.pk');
    expect(uri.searchParams.get('secret')).toBe(RFC_SEED);
    expect(uri.searchParams.get('issuer')).toBe('Pakawaaz');
    expect(uri.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(uri.searchParams.get('digits') ?? '6').toBe('6');
    expect(uri.searchParams.get('period') ?? '30').toBe('30');
  });

  it('percent-encodes spaces (never "+")', () => {
    const uri = totpUri({ issuer: 'Pakawaaz', account: 'Ali Khan', secret: RFC_SEED });
    expect(uri).toContain('Pakawaaz:Ali%20Khan?');
  });

  it('refuses colons in the account or issuer, empty values and bad secrets', () => {
    expect(() => totpUri({ issuer: 'Pakawaaz', account: 'a:b', secret: RFC_SEED })).toThrow(RangeError);
    expect(() => totpUri({ issuer: 'Paka:waaz', account: 'ali', secret: RFC_SEED })).toThrow(RangeError);
    expect(() => totpUri({ issuer: 'Pakawaaz', account: '', secret: RFC_SEED })).toThrow(RangeError);
    expect(() => totpUri({ issuer: 'Pakawaaz', account: 'ali', secret: 'not base32!' })).toThrow(RangeError);
  });
});

describe('verifyTotp window', () => {
  const now = 1_700_000_015; // middle of a step
  const step = stepOf(now);
  const input = (code: string, lastUsedStep: number | null = null): VerifyTotpInput => ({
    secret: RFC_SEED,
    code,
    now: at(now),
    lastUsedStep,
  });

  it('accepts the previous, current and next step and reports the matched step', () => {
    for (const s of [step - 1, step, step + 1]) {
      expect(verifyTotp(input(totpCodeAtStep(RFC_SEED, s)))).toEqual({ ok: true, step: s });
    }
  });

  it('rejects codes two steps away in either direction', () => {
    for (const s of [step - 2, step + 2]) {
      expect(verifyTotp(input(totpCodeAtStep(RFC_SEED, s)))).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('rejects a wrong code and a code for another secret', () => {
    const code = totpCodeAtStep(RFC_SEED, step);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyTotp(input(wrong))).toEqual({ ok: false, reason: 'invalid' });
    const other = newTotpSecret(seededBytes('other'));
    expect(verifyTotp({ ...input(code), secret: other })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('works at the step boundaries', () => {
    const start = step * TOTP_PERIOD_SECONDS;
    const code = totpCodeAtStep(RFC_SEED, step);
    expect(verifyTotp({ ...input(code), now: at(start) })).toEqual({ ok: true, step });
    expect(verifyTotp({ ...input(code), now: new Date((start + 30) * 1000 + 29_999) })).toEqual({
      ok: true,
      step,
    });
    expect(verifyTotp({ ...input(code), now: at(start + 60) })).toEqual({ ok: false, reason: 'invalid' });
  });

  it('computes the step from the time', () => {
    expect(totpStepAt(at(59))).toBe(1);
    expect(totpStepAt(at(60))).toBe(2);
    expect(() => totpStepAt(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('verifyTotp replay protection (a code is accepted once only)', () => {
  const now = 1_700_000_015;
  const step = stepOf(now);
  const code = (s: number): string => totpCodeAtStep(RFC_SEED, s);
  const check = (c: string, lastUsedStep: number | null) =>
    verifyTotp({ secret: RFC_SEED, code: c, now: at(now), lastUsedStep });

  it('rejects the same code a second time', () => {
    const first = check(code(step), null);
    expect(first).toEqual({ ok: true, step });
    if (!first.ok) return;
    expect(check(code(step), first.step)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('rejects an older in-window code after a newer one was accepted', () => {
    expect(check(code(step - 1), step)).toEqual({ ok: false, reason: 'replayed' });
    expect(check(code(step), step + 1)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('accepts a newer code after an older one', () => {
    expect(check(code(step), step - 1)).toEqual({ ok: true, step });
    expect(check(code(step + 1), step)).toEqual({ ok: true, step: step + 1 });
  });

  it('takes the newest step when a code collides across the window, so it cannot be used twice', () => {
    // For the RFC seed, steps 153567 and 153569 share the code 468457 (found offline by search).
    const middle = 153568 * TOTP_PERIOD_SECONDS + 10;
    expect(totpCodeAtStep(RFC_SEED, 153567)).toBe('468457');
    expect(totpCodeAtStep(RFC_SEED, 153569)).toBe('468457');
    const first = verifyTotp({ secret: RFC_SEED, code: '468457', now: at(middle), lastUsedStep: null });
    expect(first).toEqual({ ok: true, step: 153569 });
    expect(verifyTotp({ secret: RFC_SEED, code: '468457', now: at(middle), lastUsedStep: 153569 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
  });

  it('still says invalid (not replayed) for a wrong code', () => {
    const wrong = code(step) === '000000' ? '000001' : '000000';
    expect(check(wrong, step)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('verifyTotp input validation', () => {
  const now = at(1_700_000_015);
  it.each([
    '',
    '12345',
    '1234567',
    '12345a',
    ' 123456',
    '123456 ',
    '123 456',
    '-12345',
    '+12345',
    '1e5000',
    '١٢٣٤٥٦', // Arabic-Indic digits: not ASCII
    '１２３４５６', // full-width digits
    '12345\n',
  ])('rejects %j as malformed', (code) => {
    expect(verifyTotp({ secret: RFC_SEED, code, now, lastUsedStep: null })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('rejects non-string input at runtime as malformed', () => {
    const code = 123456 as unknown as string;
    expect(verifyTotp({ secret: RFC_SEED, code, now, lastUsedStep: null })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('throws on a corrupt stored secret or an invalid clock (server-side faults)', () => {
    expect(() => verifyTotp({ secret: '!!!', code: '123456', now, lastUsedStep: null })).toThrow(RangeError);
    expect(() => verifyTotp({ secret: 'GEZDGNBV', code: '123456', now, lastUsedStep: null })).toThrow(
      RangeError,
    );
    expect(() =>
      verifyTotp({ secret: RFC_SEED, code: '123456', now: new Date(Number.NaN), lastUsedStep: null }),
    ).toThrow(RangeError);
  });
});
