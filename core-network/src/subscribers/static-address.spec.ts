import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from '../network-spec/demo-network.js';
import { validateNetworkSpec } from '../network-spec/network-spec.js';
import { DEFAULT_PROFILE, SubscriberProfile } from './profile.js';
import { ipv6Prefix64, staticIpv4Problem, staticIpv6Problem, strandedAddresses } from './static-address.js';

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

/*
 * IPv6: the demo DNN internet with the upstream sample subnet (configs/open5gs/smf.yaml.in `subnet: 2001:db8:cafe::/48`,
 * `gateway: 2001:db8:cafe::1`) and the /64s 2001:db8:cafe:ff00::/56 kept for static UEs. Open5GS's unit is the
 * /64 (lib/pfcp/context.c ogs_pfcp_ue_pool_generate counts in bits 32-63 only and skips the /64s of the
 * network and the gateway; src/upf/context.c and src/smf/context.c key sessions on the first 8 bytes).
 */
const spec6 = (() => {
  const data = parse(DEMO_NETWORK_YAML) as { dnns: Record<string, unknown>[] };
  data.dnns[0]!.ipv6 = {
    subnet: '2001:db8:cafe::/48',
    gateway: '2001:db8:cafe::1',
    staticRange: '2001:db8:cafe:ff00::/56',
  };
  const r = validateNetworkSpec(data);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
})();
const v6Profile = (type: 'IPv4' | 'IPv6' | 'IPv4v6') =>
  SubscriberProfile.parse({
    ambr: gbps,
    slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', type, ambr: gbps }] }],
  });

describe('staticIpv6Problem', () => {
  it('accepts an address in the static /64s on an IPv6 or IPv4v6 session', () => {
    expect(staticIpv6Problem('2001:db8:cafe:ff01::10', v6Profile('IPv6'), spec6)).toBeNull();
    expect(staticIpv6Problem('2001:db8:cafe:ff01::10', v6Profile('IPv4v6'), spec6)).toBeNull();
  });

  it.each([
    ['10.45.254.7', '10.45.254.7 is not an IPv6 address'],
    ['2001:db8:cafe:ff01::/64', '2001:db8:cafe:ff01::/64 is not an IPv6 address'],
    ['fe80::1%eth0', 'fe80::1%eth0 is not an IPv6 address'],
    ['2001:db8:beef::5', '2001:db8:beef::5 is outside the IPv6 subnet 2001:db8:cafe::/48 of DNN internet'],
    // Not only the gateway address: its whole /64 is skipped by the pool and routed to the SMF's tun.
    [
      '2001:db8:cafe::77',
      '2001:db8:cafe::77 is in 2001:db8:cafe::/64, the network /64 of 2001:db8:cafe::/48',
    ],
    ['2001:db8:cafe:ff01::', '2001:db8:cafe:ff01:: has interface identifier 0'],
    [
      '2001:db8:cafe:fe01::5',
      "2001:db8:cafe:fe01::5 is outside DNN internet's IPv6 static block 2001:db8:cafe:ff00::/56",
    ],
  ])('%s: %s', (address, problem) => {
    expect(staticIpv6Problem(address, v6Profile('IPv6'), spec6)?.slice(0, problem.length)).toBe(problem);
  });

  it("refuses the gateway's /64 when the gateway is not in the network /64", () => {
    const moved = {
      ...spec6,
      dnns: spec6.dnns.map((d, i) =>
        i === 0 ? { ...d, ipv6: { ...d.ipv6!, gateway: '2001:db8:cafe:ff02::1' } } : d,
      ),
    };
    expect(staticIpv6Problem('2001:db8:cafe:ff02::9', v6Profile('IPv6'), moved)).toMatch(
      /is in 2001:db8:cafe:ff02::\/64, the \/64 of DNN internet's gateway 2001:db8:cafe:ff02::1/,
    );
  });

  it('needs an IPv6-capable session on a DNN the spec serves with IPv6', () => {
    expect(staticIpv6Problem('2001:db8:cafe:ff01::10', v6Profile('IPv4'), spec6)).toMatch(
      /no IPv6 or IPv4v6 session in its default slice/,
    );
    expect(staticIpv6Problem('2001:db8:cafe:ff01::10', v6Profile('IPv6'), spec)).toBe(
      'DNN internet has no IPv6 subnet in the running network spec',
    );
    const noBlock = {
      ...spec6,
      dnns: spec6.dnns.map((d) => ({ ...d, ipv6: { subnet: '2001:db8:cafe::/48' } })),
    };
    expect(staticIpv6Problem('2001:db8:cafe:ff01::10', v6Profile('IPv6'), noBlock)).toMatch(
      /reserves no IPv6 block for static addresses/,
    );
  });

  it('names the /64 two addresses would share', () => {
    expect(ipv6Prefix64('2001:db8:cafe:ff01::10')).toBe('2001:db8:cafe:ff01::/64');
    expect(ipv6Prefix64('2001:DB8:CAFE:FF01:0:0:abcd:1')).toBe('2001:db8:cafe:ff01::/64');
    expect(ipv6Prefix64('10.0.0.1')).toBeNull();
  });

  it('strandedAddresses covers IPv6 addresses, one entry per address', () => {
    const rows = [
      {
        imsi: '1',
        displayName: 'A',
        staticIpv4: null,
        staticIpv6: '2001:db8:cafe:ff01::1',
        profile: v6Profile('IPv6'),
      },
    ];
    expect(strandedAddresses(rows, spec6)).toEqual([]);
    expect(strandedAddresses(rows, spec)).toEqual([
      {
        imsi: '1',
        displayName: 'A',
        staticIpv6: '2001:db8:cafe:ff01::1',
        problem: 'DNN internet has no IPv6 subnet in the running network spec',
      },
    ]);
  });
});
