import { describe, expect, it } from 'vitest';
import { decodeClass, encodeClass } from './radius-class.js';

const u = '1f1c1c1c-0000-4000-8000-000000000001';
const i = '2e2e2e2e-0000-4000-8000-000000000002';

describe('Class attribute', () => {
  it('round-trips user, institution and IMSI', () => {
    const info = { userId: u, institutionId: i, imsi: '001010000000001' };
    expect(decodeClass(encodeClass(info))).toEqual(info);
    expect(encodeClass(info).toString()).toBe(`pkz1;u=${u};inst=${i};imsi=001010000000001`);
  });
  it('works without institution and IMSI', () => {
    expect(decodeClass(encodeClass({ userId: u, institutionId: null, imsi: null }))).toEqual({
      userId: u,
      institutionId: null,
      imsi: null,
    });
  });
  it('ignores Class values of other servers and forged junk', () => {
    for (const v of ['', 'foo', 'pkz1;', 'pkz1;u=admin', `pkz1;u=${u};imsi=12ab`, `pkz2;u=${u}`])
      expect(decodeClass(Buffer.from(v))).toBeNull();
  });
});
