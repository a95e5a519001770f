import { describe, expect, it } from 'vitest';
import { decideAfterUpdate } from './os-update-recorder.js';

// The attestation after an OS update decides it only when it speaks to the OS the handset booted.
describe('what the attestation after an update decides', () => {
  it('accepted with at least the release patch month verifies it (the OS patch level is encoded YYYYMM)', () => {
    expect(decideAfterUpdate({ accepted: { osPatchLevel: 202612 } }, '2026-12-05')).toEqual({
      to: 'verified',
      detail: null,
    });
    expect(decideAfterUpdate({ accepted: { osPatchLevel: 202701 } }, '2026-12-05')?.to).toBe('verified');
  });

  it('accepted with an older patch level, or none, fails it: the handset claims a build it does not run', () => {
    expect(decideAfterUpdate({ accepted: { osPatchLevel: 202611 } }, '2026-12-05')).toEqual({
      to: 'failed',
      detail: "the attested OS patch level (2026-11) is older than the release's (2026-12)",
    });
    expect(decideAfterUpdate({ accepted: { osPatchLevel: null } }, '2026-12-05')?.to).toBe('failed');
  });

  it('a refusal fails it only for the boot or the patch level; anything else decides nothing', () => {
    expect(decideAfterUpdate({ refused: ['CHALLENGE_MISMATCH', 'BOOT_STATE'] }, '2026-12-05')).toEqual({
      to: 'failed',
      detail: 'attestation after the update refused: BOOT_STATE',
    });
    for (const reason of ['CHALLENGE_MISMATCH', 'CHAIN_INVALID', 'ROOT_UNTRUSTED', 'DEVICE_MISMATCH'])
      expect(decideAfterUpdate({ refused: [reason] }, '2026-12-05')).toBeNull();
  });

  it('a rollout row without a patch level (recorded before it was kept) is verified by any acceptance', () => {
    expect(decideAfterUpdate({ accepted: { osPatchLevel: 202001 } }, null)?.to).toBe('verified');
  });
});
