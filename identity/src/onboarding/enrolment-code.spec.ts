import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { enrolmentCodeHash, newEnrolmentCode, normaliseEnrolmentCode } from './enrolment-code.js';

describe('enrolment codes', () => {
  it('are 26 characters of an unambiguous alphabet in groups of five, different each time', () => {
    const codes = new Set(Array.from({ length: 1_000 }, newEnrolmentCode));
    expect(codes.size).toBe(1_000);
    for (const c of codes) expect(c).toMatch(/^([A-HJKMNP-TV-Z0-9]{5}-){5}[A-HJKMNP-TV-Z0-9]$/);
  });

  it('hash as typed: case, spaces and dashes do not matter (SHA-256 of the normalised code)', () => {
    const code = 'ABCDE-FGHJK-MNPQR-STVWX-YZ012-3';
    expect(normaliseEnrolmentCode(' abcde fghjk-mnpqr-stvwx-yz012-3 ')).toBe('ABCDEFGHJKMNPQRSTVWXYZ0123');
    expect(enrolmentCodeHash('abcdefghjkmnpqrstvwxyz0123')).toBe(enrolmentCodeHash(code));
    expect(enrolmentCodeHash(code)).toBe(
      createHash('sha256').update('ABCDEFGHJKMNPQRSTVWXYZ0123').digest('hex'),
    );
  });
});
