import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_YAML } from '../network-spec/demo-network.js';
import { parseNetworkSpec } from '../network-spec/network-spec.js';
import { checkProfile, previewProfile } from './profile-checks.js';
import { DEFAULT_PROFILE } from './profile.js';

const demoSpec = (() => {
  const r = parseNetworkSpec(DEMO_NETWORK_YAML);
  if (!r.ok) throw new Error('demo spec invalid');
  return r.spec;
})();

const gbps = (value: number) => ({ value, unit: 'Gbps' });
const session = (dnn: string, extra: Record<string, unknown> = {}) => ({
  dnn,
  ambr: { downlink: gbps(1), uplink: gbps(1) },
  ...extra,
});

describe('checkProfile: every problem at once', () => {
  it('lists format errors and rule errors together', () => {
    const r = checkProfile(
      {
        ambr: { downlink: gbps(1), uplink: { value: 0, unit: 'Gbps' } },
        slices: [
          { sst: 1, default: false, sessions: [session('internet'), session('INTERNET')] },
          { sst: 1, default: false, sessions: [session('gov', { type: 'IPv5' })] },
        ],
      },
      null,
    );
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((e) => e.path)).toEqual([
      'ambr.uplink.value',
      'slices[1].sessions[0].type',
      'slices',
      'slices[0].sessions[1].dnn',
      'slices[1]',
    ]);
    expect(r.errors[2]?.message).toBe(
      'exactly one slice must be the default (0 are): set default: true on one',
    );
    expect(r.errors[4]?.message).toBe('slice SST 1 is listed twice (first at slices[0])');
  });

  it('warns about slices and DNNs the running network spec does not serve, and capped session AMBRs', () => {
    const r = checkProfile(
      {
        ambr: { downlink: gbps(1), uplink: gbps(1) },
        slices: [
          {
            sst: 1,
            default: true,
            sessions: [session('internet', { ambr: { downlink: gbps(2), uplink: gbps(1) } })],
          },
          { sst: 1, sd: '000001', sessions: [session('internet')] },
          { sst: 2, sessions: [session('internet')] },
        ],
      },
      demoSpec,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings.map((w) => w.path)).toEqual([
      'slices[1].sessions[0].dnn',
      'slices[2]',
      'slices[0].sessions[0].ambr.downlink',
    ]);
    expect(r.warnings[1]?.message).toMatch(
      /^slice SST 2 is not in the running network spec \(it has SST 1, SST 1 SD 000001\)/,
    );
  });

  it('warns that 4G caps AMBRs at 2^32 - 1 bps (S6a Max-Requested-Bandwidth, TS 29.272 §7.3.41)', () => {
    const r = checkProfile(
      {
        ambr: { downlink: gbps(10), uplink: { value: 4294, unit: 'Mbps' } },
        slices: [
          {
            sst: 1,
            default: true,
            sessions: [
              session('internet', { ambr: { downlink: { value: 4295, unit: 'Mbps' }, uplink: gbps(1) } }),
            ],
          },
        ],
      },
      demoSpec,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings.map((w) => w.path)).toEqual(['ambr.downlink', 'slices[0].sessions[0].ambr.downlink']);
    expect(r.warnings[0]?.message).toMatch(
      /^10 Gbps is more than 4G carries: .* a 4G UE gets 4294967295 bps/,
    );
  });

  it('the default profile has no problem against the demo network', () => {
    expect(checkProfile(DEFAULT_PROFILE, demoSpec)).toEqual({
      ok: true,
      profile: DEFAULT_PROFILE,
      warnings: [],
    });
  });
});

describe('previewProfile', () => {
  it('diffs against the saved profile; a new profile is all additions', () => {
    const faster = structuredClone(DEFAULT_PROFILE);
    faster.ambr.downlink = { value: 2, unit: 'Gbps' };
    const p = previewProfile('default', faster, DEFAULT_PROFILE, demoSpec);
    expect(p).toMatchObject({ valid: true, exists: true, changed: true });
    expect(p.diff).toMatch(/^--- default \(saved\)\n\+\+\+ default\n@@ /);
    expect(p.diff).toContain('\n-    value: 1\n+    value: 2\n');
    expect(previewProfile('default', DEFAULT_PROFILE, DEFAULT_PROFILE, null)).toMatchObject({
      changed: false,
      diff: '',
    });
    expect(previewProfile('new', DEFAULT_PROFILE, null, null)).toMatchObject({
      exists: false,
      changed: true,
    });
  });
});
