import { Metrics, type Principal } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { SignInStatsService } from './sign-in-stats.service.js';

const as = (...roles: string[]) => ({ roles }) as unknown as Principal;

describe('SignInStatsService', () => {
  it('tallies completed and failed steps by factor and counts them in Prometheus', async () => {
    const metrics = new Metrics();
    const stats = new SignInStatsService(metrics);
    stats.now = () => Date.parse('2026-01-01T00:07:00Z');
    stats.succeeded(['pwd', 'otp', 'mfa']);
    stats.failed('totp:invalid');
    stats.failed('not-a-factor');
    stats.radiusSucceeded();
    const view = stats.view(as('viewer'), 1);
    expect(view.buckets).toEqual([
      { at: '2026-01-01T00:05:00.000Z', factor: 'pwd', succeeded: 1, failed: 0 },
      { at: '2026-01-01T00:05:00.000Z', factor: 'otp', succeeded: 1, failed: 1 },
      { at: '2026-01-01T00:05:00.000Z', factor: 'radius', succeeded: 1, failed: 0 },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pakawaaz_sign_in_steps_total{factor="otp",outcome="failed"} 1');
  });

  it('answers security officers and viewers only', () => {
    const stats = new SignInStatsService();
    expect(() => stats.view(as('billing'), 24)).toThrow(/roles/);
    expect(stats.view(as('security-officer'), 24).buckets).toEqual([]);
  });
});
