import { describe, expect, it } from 'vitest';
import { fakeSim, luhnCheckDigit } from './sims.js';

describe('luhnCheckDigit (ITU-T E.118 ICCIDs)', () => {
  it('gives the published check digits', () => {
    // The textbook examples: 79927398713 and 1234567812345670 are Luhn-valid.
    expect(luhnCheckDigit('7992739871')).toBe('3');
    expect(luhnCheckDigit('123456781234567')).toBe('0');
    expect(() => luhnCheckDigit('89-01')).toThrow(RangeError);
  });

  it('makes fake SIMs whose ICCID passes the check', () => {
    const { iccid } = fakeSim(42);
    expect(luhnCheckDigit(iccid.slice(0, -1))).toBe(iccid.at(-1));
    expect(iccid).toMatch(/^8992001\d{12}$/);
  });
});
