import { AppError } from '@pakawaaz/platform';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FleetOsRepository } from '../../src/os-updates/fleet-os.repository.js';
import { FleetOsService } from '../../src/os-updates/fleet-os.service.js';
import {
  addDevice,
  createDeviceMgmtFixture,
  principal,
  resetDeviceData,
  type DeviceMgmtFixture,
} from '../support/device-mgmt-fixture.js';

/*
 * The fleet OS view and its scope: national operators count every live handset, an institution's operators
 * their institution's only (a national handset, of no institution, is not theirs); retired and wiped
 * handsets are not counted.
 */
let fx: DeviceMgmtFixture;
let view: FleetOsService;
const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

beforeAll(async () => {
  fx = await createDeviceMgmtFixture();
  view = new FleetOsService(new FleetOsRepository(fx.handle));
});
afterAll(async () => fx?.close());
beforeEach(async () => resetDeviceData(fx.handle));

let imsi = 10;
const device = (
  institutionId: string | null,
  osBuild: string | null,
  securityPatch: string | null,
  over = {},
) =>
  addDevice(fx.handle, {
    institutionId,
    imsi: `0010100000000${imsi++}`,
    lastReport: osBuild ? { osBuild, ...(securityPatch ? { securityPatch } : {}) } : null,
    ...over,
  });

describe('fleet OS view', () => {
  beforeEach(async () => {
    await device(A, 'PKZ.2026.12', '2026-12-05');
    await device(A, 'PKZ.2026.12', '2026-12-05');
    await device(A, 'PKZ.2026.11', '2026-11-05');
    await device(B, 'PKZ.2026.11', '2026-11-01');
    // Never checked in: the attested patch level (202611 in the fixture), no build.
    await device(null, null, null);
    await device(A, 'PKZ.2026.10', '2026-10-05', { state: 'retired' });
  });

  it('national operators count every live handset by patch month (newest first) and by build', async () => {
    expect(await view.view(principal(['viewer']))).toEqual({
      total: 5,
      byPatchMonth: [
        { patchMonth: '2026-12', count: 2 },
        { patchMonth: '2026-11', count: 3 },
      ],
      byOsBuild: [
        { osBuild: 'PKZ.2026.11', count: 2 },
        { osBuild: 'PKZ.2026.12', count: 2 },
        { osBuild: null, count: 1 },
      ],
    });
  });

  it('an institution’s operators count their institution’s handsets only', async () => {
    expect(await view.view(principal(['device-admin'], A))).toEqual({
      total: 3,
      byPatchMonth: [
        { patchMonth: '2026-12', count: 2 },
        { patchMonth: '2026-11', count: 1 },
      ],
      byOsBuild: [
        { osBuild: 'PKZ.2026.12', count: 2 },
        { osBuild: 'PKZ.2026.11', count: 1 },
      ],
    });
    expect(await view.view(principal(['viewer'], B))).toMatchObject({
      total: 1,
      byOsBuild: [{ osBuild: 'PKZ.2026.11', count: 1 }],
    });
  });

  it('a caller without a device role is refused', async () => {
    await expect(view.view(principal([]))).rejects.toBeInstanceOf(AppError);
  });
});
