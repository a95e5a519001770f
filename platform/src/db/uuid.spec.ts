import { describe, expect, it } from 'vitest';
import { isUuid } from './uuid.js';

describe('isUuid', () => {
  it('accepts RFC 9562 text forms, either case', () => {
    expect(isUuid('4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9c')).toBe(true);
    expect(isUuid('4C0F8E2A-9D1B-4E7A-B3C5-6F2D8A0E1B9C')).toBe(true);
  });

  it('refuses what PostgreSQL would reject with an error (a 500) instead of a miss', () => {
    for (const id of [
      '-'.repeat(36),
      'a'.repeat(36),
      '4c0f8e2a9d1b4e7ab3c56f2d8a0e1b9c----',
      '4c0f8e2a-9d1b-4e7a-b3c5-6f2d8a0e1b9',
    ]) {
      expect(isUuid(id)).toBe(false);
    }
  });
});
