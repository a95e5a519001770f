import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCodes,
  normaliseRecoveryCode,
  verifyRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODE_ENTROPY_BITS,
  type StoredRecoveryCode,
} from './recovery-codes.js';

const FORMAT = /^[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}-[2-9a-km-np-z]{4}$/;

describe('recovery code format and entropy', () => {
  it('uses a 32-symbol alphabet without 0, O, 1 or l, giving ≥ 60 bits per code', () => {
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(32);
    expect(RECOVERY_CODE_ALPHABET).toMatch(/^[^0O1lA-Z]+$/);
    expect(RECOVERY_CODE_ENTROPY_BITS).toBeGreaterThanOrEqual(60);
  });

  it('generates 10 distinct xxxx-xxxx-xxxx codes by default', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes);
    expect(codes).toHaveLength(10);
    expect(stored).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(FORMAT);
    expect(stored.every((s) => !s.used)).toBe(true);
  });

  it('honours the count and rejects silly ones', async () => {
    expect((await generateRecoveryCodes(randomBytes, 3)).codes).toHaveLength(3);
    await expect(generateRecoveryCodes(randomBytes, 0)).rejects.toThrow(RangeError);
    await expect(generateRecoveryCodes(randomBytes, 1.5)).rejects.toThrow(RangeError);
  });

  it('maps every byte value onto the alphabet without bias (256 = 8 × 32)', async () => {
    let next = 0;
    const counting = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => next++ % 256));
    const { codes } = await generateRecoveryCodes(counting, 3);
    const counts = new Map<string, number>();
    for (const ch of codes.join('').replaceAll('-', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(32);
  });

  it('is deterministic given the random source (pure)', async () => {
    const fixed = (n: number): Buffer => Buffer.alloc(n, 7);
    const a = await generateRecoveryCodes(fixed, 2);
    const b = await generateRecoveryCodes(fixed, 2);
    expect(a).toEqual(b);
  });
});

describe('hash-only storage', () => {
  it('never contains the plaintext, in any normalisation', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes);
    const serialised = JSON.stringify(stored).toLowerCase();
    for (const code of codes) {
      expect(serialised).not.toContain(code);
      expect(serialised).not.toContain(code.replaceAll('-', ''));
      for (const group of code.split('-')) expect(serialised.includes(`"${group}"`)).toBe(false);
    }
    for (const s of stored)
      expect(s.hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  });

  it('uses one salt per user (per set) and different salts across users', async () => {
    const salt = (s: StoredRecoveryCode): string => s.hash.split('$')[4] ?? '';
    const alice = await generateRecoveryCodes(randomBytes, 3);
    const bob = await generateRecoveryCodes(randomBytes, 3);
    expect(new Set(alice.stored.map(salt)).size).toBe(1);
    expect(salt(alice.stored[0]!)).not.toBe(salt(bob.stored[0]!));
  });
});

describe('verifyRecoveryCode', () => {
  it('returns the index of the matching code', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes, 5);
    for (const [i, code] of codes.entries()) expect(await verifyRecoveryCode(code, stored)).toBe(i);
  });

  it('normalises case, dashes and spaces', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes, 3);
    const code = codes[2]!;
    const bare = code.replaceAll('-', '');
    for (const variant of [code.toUpperCase(), bare, ` ${bare.slice(0, 6)} ${bare.slice(6)} `, `${code}\t`]) {
      expect(await verifyRecoveryCode(variant, stored)).toBe(2);
    }
    expect(normaliseRecoveryCode('ABCD-EFGH-JKMN')).toBe('abcdefghjkmn');
  });

  it('returns -1 for unknown, malformed or look-alike input', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes, 3);
    expect(await verifyRecoveryCode('2222-2222-2222', stored)).toBe(-1);
    expect(await verifyRecoveryCode('', stored)).toBe(-1);
    expect(await verifyRecoveryCode('0000-oooo-1111', stored)).toBe(-1);
    expect(await verifyRecoveryCode(`${codes[0]}x`, stored)).toBe(-1);
    expect(await verifyRecoveryCode(codes[0]!.slice(0, -1), stored)).toBe(-1);
    expect(await verifyRecoveryCode('x'.repeat(10_000), stored)).toBe(-1);
    expect(await verifyRecoveryCode(codes[0]!, [])).toBe(-1);
  });

  it('is single use: once the caller marks the index used, the code is refused', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes, 4);
    const code = codes[1]!;
    const index = await verifyRecoveryCode(code, stored);
    expect(index).toBe(1);
    const after = stored.map((s, i) => (i === index ? { ...s, used: true } : s));
    expect(await verifyRecoveryCode(code, after)).toBe(-1);
    expect(await verifyRecoveryCode(codes[3]!, after)).toBe(3);
  });

  it('ignores corrupt stored entries without failing the others', async () => {
    const { codes, stored } = await generateRecoveryCodes(randomBytes, 2);
    const mixed = [{ hash: 'garbage', used: false }, { hash: 'scrypt$16384$8$1$x', used: false }, ...stored];
    expect(await verifyRecoveryCode(codes[1]!, mixed)).toBe(3);
  });

  it('does not match a code from another user', async () => {
    const alice = await generateRecoveryCodes(randomBytes, 2);
    const bob = await generateRecoveryCodes(randomBytes, 2);
    expect(await verifyRecoveryCode(alice.codes[0]!, bob.stored)).toBe(-1);
  });
});
