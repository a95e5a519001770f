import type { DeviceAuthentication, DevicePrincipal } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { liveCertificates, type PublishedUnder } from './live-certificates.js';

const principal = (deviceId: string, certThumbprint: string): DevicePrincipal => ({
  deviceId,
  userId: 'u',
  institutionId: null,
  certThumbprint,
  compliance: 'compliant',
});
const under = (deviceId: string, certThumbprint: string, minute: number): PublishedUnder => ({
  deviceId,
  certThumbprint,
  newest: new Date(minute * 60_000),
});
const ok = (deviceId: string, cert: string): DeviceAuthentication => ({
  ok: true,
  device: principal(deviceId, cert),
});
const replaced = (deviceId: string, cert: string): DeviceAuthentication => ({
  ok: false,
  reason: 'revoked',
  replaced: principal(deviceId, cert),
});

describe('liveCertificates', () => {
  it('claims under the certificate that authenticates; one a renewal replaced is stale', () => {
    const r = liveCertificates(
      [under('d1', 'A', 1), under('d1', 'B', 2), under('d2', 'C', 1)],
      [replaced('d1', 'A'), ok('d1', 'B'), ok('d2', 'C')],
    );
    expect(r.live).toEqual([
      { deviceId: 'd1', certThumbprint: 'B' },
      { deviceId: 'd2', certThumbprint: 'C' },
    ]);
    expect(r.stale).toEqual([{ deviceId: 'd1', certThumbprint: 'A' }]);
    expect([...r.touched]).toEqual(['d1']);
  });

  it('a device renewed with no package under its new certificate is not claimable, and touched', () => {
    const r = liveCertificates([under('d1', 'A', 1)], [replaced('d1', 'A')]);
    expect(r.live).toEqual([]);
    expect(r.stale).toEqual([{ deviceId: 'd1', certThumbprint: 'A' }]);
    expect([...r.touched]).toEqual(['d1']);
  });

  it('of two that authenticate the newest is live; a refusal for cause, or another device, is neither', () => {
    const r = liveCertificates(
      [under('d1', 'A', 3), under('d1', 'B', 5), under('d2', 'C', 1), under('d3', 'D', 1)],
      [ok('d1', 'A'), ok('d1', 'B'), { ok: false, reason: 'revoked' }, ok('d9', 'D')],
    );
    expect(r.live).toEqual([{ deviceId: 'd1', certThumbprint: 'B' }]);
    expect(r.stale).toEqual([{ deviceId: 'd1', certThumbprint: 'A' }]);
  });
});
