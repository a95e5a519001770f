import { describe, expect, it } from 'vitest';
import { rolloutLine, rolloutText } from './store-rollouts.js';

const rollout = {
  id: 'r-1',
  versionId: 'v-1',
  appId: 'a-1',
  institutionId: 'i-1',
  percent: 25,
  state: 'halted' as const,
  failureThreshold: 0.05,
  minDevices: 5,
  haltReason: 'failure rate 10.0% (2 of 20 devices: 0 failed installs, 2 crashing, 0 failed attestation)',
  createdById: 'operator:rev',
  createdByName: 'Rev Iewer',
  createdAt: '2026-12-05T00:00:00.000Z',
  updatedAt: '2026-12-05T01:00:00.000Z',
  figures: {
    targeted: 40,
    queued: 40,
    installed: 20,
    failed: 0,
    crashing: 2,
    attestationFailures: 0,
    attempted: 20,
    failures: 2,
    failureRate: 0.1,
  },
};

describe('pakawaaz store rollout', () => {
  it('names the app and the institution, and says why a rollout halted', () => {
    expect(rolloutLine(rollout, { pkg: 'gov.pk.mail', institution: 'Ministry A' })).toBe(
      `r-1  halted      25%  ${'gov.pk.mail'.padEnd(32)}  Ministry A    halted: ${rollout.haltReason}`,
    );
  });

  it('shows the figures weighed from the handsets', () => {
    const text = rolloutText(rollout, { pkg: 'gov.pk.mail', institution: 'Ministry A' });
    expect(text).toContain('halt when  failure rate > 5.0% over at least 5 devices');
    expect(text).toContain('handsets   40 targeted, 40 queued, 20 installed');
    expect(text).toContain('failures   0 failed installs, 2 crashing, 0 failed attestation');
    expect(text).toContain('rate       2/20 = 10.0%');
    expect(rolloutText({ ...rollout, figures: null })).toContain('figures    unavailable');
  });
});
