import { describe, expect, it } from 'vitest';
import type { HardenedOsReleases } from '../attestation/policy.js';
import type { DeviceStateRepository } from '../devices/device-state.repository.js';
import { ComplianceRecorder } from './compliance-recorder.js';

describe("hardened-os's facts at check-in", () => {
  it('are not cached on top of hardened-os’s snapshot: a raised floor applies at the next check-in', async () => {
    let floor = 202401;
    const releases = {
      bootKeys: () => Promise.resolve([]),
      bootKeyStatus: () => Promise.resolve('unknown'),
      compromisedBootKeys: () => Promise.resolve(['AB'.repeat(32)]),
      isOurBootKey: () => Promise.resolve(false),
      minimumPatchLevel: () => Promise.resolve(floor),
      latestRelease: () => Promise.resolve(null),
    } satisfies HardenedOsReleases;
    const recorder = new ComplianceRecorder(
      {} as DeviceStateRepository,
      { publish: () => Promise.resolve() } as never,
      { error() {} } as never,
      releases,
    );
    expect((await recorder.releaseFacts('inst')).minimumPatch).toBe(202401);
    floor = 202406;
    const facts = await recorder.releaseFacts('inst');
    expect(facts.minimumPatch).toBe(202406);
    expect(facts.compromisedBootKeys.has('ab'.repeat(32))).toBe(true);
  });
});
