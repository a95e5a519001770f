import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from '../network-spec/demo-network.js';
import { validateNetworkSpec } from '../network-spec/network-spec.js';
import { DEFAULT_PROFILE, SubscriberProfile } from './profile.js';
import { staticIpv4Problem, strandedAddresses } from './static-address.js';

const spec = (() => {
  const data = parse(DEMO_NETWORK_YAML) as { dnns: { ipv4: Record<string, unknown> }[] };
  data.dnns[0]!.ipv4.staticRange = '10.45.254.0/24';
  const r = validateNetworkSpec(data);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
})();
const gbps = { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } } as const;

describe('staticIpv4Problem', () => {
  it('accepts an address in the default DNN static block', () => {
    expect(staticIpv4Problem('10.45.254.7', DEFAULT_PROFILE, spec)).toBeNull();
  });

  it.each([
    ['fd00::1', 'fd00::1 is not an IPv4 address'],
    ['10.45.0.0', '10.45.0.0 is the network address of 10.45.0.0/16'],
    ['10.45.255.255', '10.45.255.255 is the broadcast address of 10.45.0.0/16'],
    ['10.45.0.1', '10.45.0.1 is the gateway of DNN internet'],
    ['10.45.253.255', "10.45.253.255 is outside DNN internet's static block 10.45.254.0/24"],
  ])('%s: %s', (address, problem) => {
    expect(staticIpv4Problem(address, DEFAULT_PROFILE, spec)?.startsWith(problem)).toBe(true);
  });

  it('follows the default DNN, marked or first IPv4-capable, of the default slice', () => {
    const profile = SubscriberProfile.parse({
      ambr: gbps,
      slices: [
        { sst: 1, sd: '000001', sessions: [{ dnn: 'gov', ambr: gbps }] },
        {
          sst: 1,
          default: true,
          sessions: [
            { dnn: 'v6', type: 'IPv6', ambr: gbps },
            { dnn: 'internet', ambr: gbps },
          ],
        },
      ],
    });
    expect(staticIpv4Problem('10.45.254.7', profile, spec)).toBeNull();
    const v6only = SubscriberProfile.parse({
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', type: 'IPv6', ambr: gbps }] }],
    });
    expect(staticIpv4Problem('10.45.254.7', v6only, spec)).toMatch(/no IPv4 or IPv4v6 session/);
  });

  it('strandedAddresses names only the subscribers a spec leaves without their block', () => {
    const rows = [
      { imsi: '1', displayName: 'A', staticIpv4: '10.45.254.1', profile: DEFAULT_PROFILE },
      { imsi: '2', displayName: 'B', staticIpv4: '10.45.254.2', profile: DEFAULT_PROFILE },
    ];
    expect(strandedAddresses(rows, spec)).toEqual([]);
    const narrower = {
      ...spec,
      dnns: spec.dnns.map((d, i) =>
        i === 0 ? { ...d, ipv4: { ...d.ipv4, staticRange: '10.45.254.0/31' } } : d,
      ),
    };
    expect(strandedAddresses(rows, narrower).map((r) => r.imsi)).toEqual(['2']);
  });
});
