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
const seen = (state: NonNullable<OsUpdateSeen>['state'], rolloutId = 'r1'): NonNullable<OsUpdateSeen> => ({
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

  it("offers again, with a new command, once the offer's command expired unacknowledged (not when cancelled)", () => {
    const now = new Date('2026-12-04T12:00:00Z');
    const offered = (state: string, expiresAt: string): OsUpdateSeen => ({
      ...seen('offered'),
      command: { id: 'c1', state, expiresAt },
    });
    const past = '2026-12-04T11:59:59.000+00:00';
    for (const state of ['queued', 'delivered', 'expired'])
      expect(osUpdateStep(offered(state, past), TARGET, OLD, [], now)).toEqual({
        outcome: null,
        offer: TARGET,
        renews: 'c1',
      });
    // Not yet expired, acknowledged, or cancelled by an operator: nothing.
    expect(osUpdateStep(offered('delivered', '2026-12-04T12:00:01Z'), TARGET, OLD, [], now).offer).toBeNull();
    for (const state of ['succeeded', 'failed', 'cancelled'])
      expect(osUpdateStep(offered(state, past), TARGET, OLD, [], now).offer).toBeNull();
    // A result decides first: the device reports the target build after its command expired.
    expect(osUpdateStep(offered('expired', past), TARGET, TARGET.buildId, [], now)).toMatchObject({
      outcome: { to: 'updated' },
      offer: null,
    });
    // Only an offered row is renewed: an updated or failed one is settled.
    expect(
      osUpdateStep(
        { ...seen('failed'), command: { id: 'c1', state: 'expired', expiresAt: past } },
        TARGET,
        OLD,
        [],
        now,
      ).offer,
    ).toBeNull();
  });

  it('never offers a rollout the device already has a row for (an older one, after a newer one halted)', () => {
    const newerHalted: OsUpdateSeen = { ...seen('offered', 'r2'), rollouts: ['r2', 'r1'] };
    expect(osUpdateStep(newerHalted, TARGET, OLD, [])).toEqual({ outcome: null, offer: null });
    expect(osUpdateStep({ ...newerHalted, rollouts: ['r2'] }, TARGET, OLD, []).offer).toBe(TARGET);
  });

  it('the idempotency key names the rollout', () => {
    expect(rolloutCommandKey('r1')).toBe('os-rollout:r1');
    expect(rolloutCommandKey('r1', new Date(1_000))).toBe('os-rollout:r1@1000');
    expect(rolloutOfCommandKey('os-rollout:r1@1000')).toBe('r1');
    expect(rolloutOfCommandKey('os-rollout:r1')).toBe('r1');
    expect(rolloutOfCommandKey('os-rollout:')).toBeNull();
    expect(rolloutOfCommandKey('operator-key')).toBeNull();
  });
});
