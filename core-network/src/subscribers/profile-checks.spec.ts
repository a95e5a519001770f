import { describe, expect, it } from 'vitest';
import { DEMO_NETWORK_YAML } from '../network-spec/demo-network.js';
import { parseNetworkSpec } from '../network-spec/network-spec.js';
import { checkProfile, orphanedProfiles, previewProfile } from './profile-checks.js';
import { DEFAULT_PROFILE } from './profile.js';

const demoSpec = (() => {
  const r = parseNetworkSpec(DEMO_NETWORK_YAML);
  if (!r.ok) throw new Error('demo spec invalid');
  return r.spec;
})();

/** The demo spec with every IPv6 pool removed. */
const noV6Spec = { ...demoSpec, dnns: demoSpec.dnns.map(({ ipv6: _v6, ...d }) => d) };

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

  it('refuses slices and DNNs the running network spec does not serve; warns about capped session AMBRs', () => {
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
    if (r.ok) throw new Error('expected errors');
    expect(r.errors.map((w) => w.path)).toEqual(['slices[1].sessions[0].dnn', 'slices[2]']);
    expect(r.errors[1]?.message).toMatch(
      /^slice SST 2 is not in the running network spec \(it has SST 1, SST 1 SD 000001\)/,
    );
    const fine = checkProfile({ ...DEFAULT_PROFILE, ambr: { downlink: gbps(1), uplink: gbps(1) } }, demoSpec);
    expect(fine.ok).toBe(true);
  });

  it('refuses an IPv6 or IPv4v6 session to a DNN without an IPv6 pool, not an IPv4 one', () => {
    const withType = (type: string) =>
      checkProfile(
        {
          ambr: { downlink: gbps(1), uplink: gbps(1) },
          slices: [{ sst: 1, default: true, sessions: [session('internet', { type })] }],
        },
        noV6Spec,
      );
    for (const type of ['IPv6', 'IPv4v6']) {
      const r = withType(type);
      if (r.ok) throw new Error(`expected ${type} to be refused`);
      expect(r.errors).toEqual([
        {
          path: 'slices[0].sessions[0].type',
          message: `${type} needs an IPv6 pool, but DNN internet in the running network spec has none: add dnns[].ipv6 or use IPv4`,
        },
      ]);
    }
    expect(withType('IPv4').ok).toBe(true);
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

describe('orphanedProfiles', () => {
  it('names each profile the spec would break, with what it needs; fine profiles are left out', () => {
    const govOnly = { ...demoSpec, dnns: demoSpec.dnns.filter((d) => d.name !== 'internet') };
    const gov = {
      ambr: { downlink: gbps(1), uplink: gbps(1) },
      slices: [{ sst: 1, sd: '000001', default: true, sessions: [session('gov')] }],
    };
    expect(
      orphanedProfiles(
        [
          { name: 'default', profile: DEFAULT_PROFILE },
          { name: 'gov', profile: gov },
        ],
        govOnly,
      ),
    ).toEqual([
      {
        profile: 'default',
        needs: [
          {
            path: 'slices[0].sessions[0].dnn',
            message: 'the running network spec offers no DNN internet in slice SST 1: add it there first',
          },
        ],
      },
    ]);
  });
});
