import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isPakawaazClass, signClass, verifyClass, type BoundClass, type ClassMac } from './radius-class.js';

const u = '1f1c1c1c-0000-4000-8000-000000000001';
const i = '2e2e2e2e-0000-4000-8000-000000000002';
const nas = '3d3d3d3d-0000-4000-8000-000000000003';
const otherNas = '4c4c4c4c-0000-4000-8000-000000000004';
const key = randomBytes(32);
const mac: ClassMac = (text) => Promise.resolve(createHmac('sha256', key).update(text).digest());
const now = 1_800_000_000;
const info: BoundClass = {
  userId: u,
  institutionId: i,
  imsi: '001010000000001',
  clientId: nas,
  issuedAt: now,
};
const expectFrom = (clientId: string, nowSeconds = now + 60) => ({
  clientId,
  nowSeconds,
  maxAgeSeconds: 13 * 3600,
  mac,
});

describe('Class attribute', () => {
  it('round-trips user, institution, IMSI, NAS and time under the MAC, within 253 bytes', async () => {
    const cls = await signClass(info, mac);
    expect(cls.length).toBeLessThanOrEqual(253);
    expect(cls.toString()).toMatch(
      new RegExp(`^pkz2;u=${u};inst=${i};imsi=001010000000001;c=${nas};t=${now};m=[A-Za-z0-9_-]{22}$`),
    );
    expect(await verifyClass(cls, expectFrom(nas))).toEqual({ ok: true, info });
    const bare = { ...info, institutionId: null, imsi: null };
    expect(await verifyClass(await signClass(bare, mac), expectFrom(nas))).toEqual({ ok: true, info: bare });
  });

  it('refuses an edited Class, a forged one, one from another NAS and one older than a session', async () => {
    const cls = (await signClass(info, mac)).toString();
    const other = '5b5b5b5b-0000-4000-8000-000000000005';
    const edited = Buffer.from(cls.replace(u, other));
    expect(await verifyClass(edited, expectFrom(nas))).toEqual({ ok: false, reason: 'bad_mac' });
    const wrongKey: ClassMac = (text) =>
      Promise.resolve(createHmac('sha256', randomBytes(32)).update(text).digest());
    const forged = await signClass({ ...info, userId: other }, wrongKey);
    expect(await verifyClass(forged, expectFrom(nas))).toEqual({ ok: false, reason: 'bad_mac' });
    expect(await verifyClass(Buffer.from(cls), expectFrom(otherNas))).toEqual({
      ok: false,
      reason: 'other_nas',
    });
    expect(await verifyClass(Buffer.from(cls), expectFrom(nas, now + 14 * 3600))).toEqual({
      ok: false,
      reason: 'expired',
    });
    // A valid MAC over an extra field is still refused: nothing unexpected is parsed.
    const extra = await signClass({ ...info, imsi: '001010000000001;x=1' }, mac);
    expect((await verifyClass(extra, expectFrom(nas))).ok).toBe(false);
  });

  it('refuses the unsigned format of earlier builds and junk; knows other servers’ Classes are not ours', async () => {
    const legacy = Buffer.from(`pkz1;u=${u};imsi=001010000000001`);
    expect(await verifyClass(legacy, expectFrom(nas))).toEqual({ ok: false, reason: 'legacy' });
    for (const v of ['pkz2;', `pkz2;u=${u}`, `pkz2;u=${u};m=`, 'pkz2;m=AAAAAAAAAAAAAAAAAAAAAA'])
      expect((await verifyClass(Buffer.from(v), expectFrom(nas))).ok).toBe(false);
    expect(isPakawaazClass(legacy)).toBe(true);
    expect(isPakawaazClass(Buffer.from('foo'))).toBe(false);
    expect(isPakawaazClass(Buffer.from('CISCO-ACS:c0a80101'))).toBe(false);
  });
});
