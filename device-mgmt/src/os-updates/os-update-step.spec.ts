import { describe, expect, it } from 'vitest';
import type { OsUpdateTarget } from './os-rollouts.js';
import { osUpdateStep, rolloutCommandKey, rolloutOfCommandKey, type OsUpdateSeen } from './os-update-step.js';

const TARGET: OsUpdateTarget = {
  rolloutId: 'r1',
  releaseId: 'rel-12',
  buildId: 'PKZ.2026.12',
  version: '15.1',
  fingerprint: 'pakawaaz/lab/PKZ.2026.12:user/release-keys',
  securityPatchLevel: '2026-12-05',
};
const OLD = 'PKZ.2026.11';
const seen = (state: NonNullable<OsUpdateSeen>['state'], rolloutId = 'r1'): OsUpdateSeen => ({
  rolloutId,
  buildId: TARGET.buildId,
  state,
});

describe('osUpdateStep', () => {
  it('offers a target once per rollout, never to a device already on its build', () => {
    expect(osUpdateStep(null, TARGET, OLD, [])).toEqual({ outcome: null, offer: TARGET });
    expect(osUpdateStep(seen('offered'), TARGET, OLD, [])).toEqual({ outcome: null, offer: null });
    expect(osUpdateStep(seen('failed'), TARGET, OLD, [])).toEqual({ outcome: null, offer: null });
    expect(osUpdateStep(null, TARGET, TARGET.buildId, [])).toEqual({ outcome: null, offer: null });
    expect(osUpdateStep(null, null, OLD, [])).toEqual({ outcome: null, offer: null });
    // A newer rollout is offered even while an older one is still open.
    expect(osUpdateStep(seen('offered', 'r0'), TARGET, OLD, []).offer).toBe(TARGET);
  });

  it('an offered device back on the target build updated; with a boot reason it failed', () => {
    expect(osUpdateStep(seen('offered'), null, TARGET.buildId, ['SCREEN_LOCK'])).toEqual({
      outcome: { rolloutId: 'r1', from: 'offered', to: 'updated' },
      offer: null,
    });
    expect(osUpdateStep(seen('offered'), TARGET, TARGET.buildId, ['BOOT_STATE']).outcome).toEqual({
      rolloutId: 'r1',
      from: 'offered',
      to: 'failed',
      detail: 'non-compliant after the update: BOOT_STATE',
    });
    // Still on the old build: nothing decided yet.
    expect(osUpdateStep(seen('offered'), TARGET, OLD, ['BOOT_STATE']).outcome).toBeNull();
  });

  it('an updated device that turns non-compliant for its boot failed; verified and failed ones are settled', () => {
    expect(osUpdateStep(seen('updated'), null, TARGET.buildId, ['BOOT_KEY_COMPROMISED']).outcome).toEqual({
      rolloutId: 'r1',
      from: 'updated',
      to: 'failed',
      detail: 'non-compliant after the update: BOOT_KEY_COMPROMISED',
    });
    expect(osUpdateStep(seen('updated'), null, TARGET.buildId, ['PATCH_LEVEL']).outcome).toBeNull();
    expect(osUpdateStep(seen('verified'), null, TARGET.buildId, ['BOOT_STATE']).outcome).toBeNull();
    expect(osUpdateStep(seen('failed'), null, TARGET.buildId, []).outcome).toBeNull();
  });

  it('the idempotency key names the rollout', () => {
    expect(rolloutCommandKey('r1')).toBe('os-rollout:r1');
    expect(rolloutOfCommandKey('os-rollout:r1')).toBe('r1');
    expect(rolloutOfCommandKey('os-rollout:')).toBeNull();
    expect(rolloutOfCommandKey('operator-key')).toBeNull();
  });
});
