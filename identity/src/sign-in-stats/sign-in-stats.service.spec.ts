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
    const view = await stats.view(as('viewer'), 1);
    expect(view.buckets).toEqual([
      { at: '2026-01-01T00:05:00.000Z', factor: 'pwd', succeeded: 1, failed: 0 },
      { at: '2026-01-01T00:05:00.000Z', factor: 'otp', succeeded: 1, failed: 1 },
      { at: '2026-01-01T00:05:00.000Z', factor: 'radius', succeeded: 1, failed: 0 },
    ]);
    const text = await metrics.registry.metrics();
    expect(text).toContain('pakawaaz_sign_in_steps_total{factor="otp",outcome="failed"} 1');
  });

  it('answers security officers and viewers only', async () => {
    const stats = new SignInStatsService();
    await expect(stats.view(as('billing'), 24)).rejects.toThrow(/roles/);
    expect((await stats.view(as('security-officer'), 24)).buckets).toEqual([]);
  });

  it("adds up the host's processes' tallies (PAKAWAAZ_PROCESSES), by bucket and factor", async () => {
    const at = (m: number) => `2026-01-01T00:${String(m).padStart(2, '0')}:00.000Z`;
    const other = [
      { at: at(0), factor: 'pwd' as const, succeeded: 9, failed: 9 }, // before the hour asked for
      { at: at(5), factor: 'pwd' as const, succeeded: 2, failed: 1 },
      { at: at(10), factor: 'sim' as const, succeeded: 4, failed: 0 },
    ];
    const served = new Map<string, () => unknown>();
    const peers = {
      serve: (key: string, answer: () => unknown) => void served.set(key, answer),
      fromLead: () => Promise.reject(new Error('not asked')),
      fromAll: <T>(key: string) => Promise.resolve([served.get(key)!() as T, other as T]),
    };
    const stats = new SignInStatsService(undefined, peers);
    stats.now = () => Date.parse('2026-01-01T00:06:00Z');
    stats.succeeded(['pwd']);
    stats.now = () => Date.parse('2026-01-01T01:07:00Z');
    expect((await stats.view(as('viewer'), 1)).buckets).toEqual([
      { at: at(5), factor: 'pwd', succeeded: 3, failed: 1 },
      { at: at(10), factor: 'sim', succeeded: 4, failed: 0 },
    ]);
  });
});
