import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderOpen5gsConfigs } from '../open5gs/config/render.js';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { validateNetworkSpec } from './network-spec.js';

/** The demo spec with `dnns[0].ipv4` (10.45.0.0/16, gateway 10.45.0.1) changed. */
function withIpv4(ipv4: Record<string, unknown>) {
  const data = parse(DEMO_NETWORK_YAML) as { dnns: { ipv4: Record<string, unknown> }[] };
  data.dnns[0]!.ipv4 = { ...data.dnns[0]!.ipv4, ...ipv4 };
  return validateNetworkSpec(data);
}
const errors = (ipv4: Record<string, unknown>) => {
  const r = withIpv4(ipv4);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('dnns[].ipv4.staticRange checks', () => {
  it('accepts a block inside the subnet clear of network, gateway and broadcast', () => {
    expect(errors({ staticRange: '10.45.128.0/20' })).toEqual([]);
  });

  it.each([
    ['10.46.0.0/24', 'must be a smaller block inside subnet 10.45.0.0/16'],
    ['10.45.0.0/16', 'must be a smaller block inside subnet 10.45.0.0/16'],
    ['10.45.0.0/24', 'contains the network address of 10.45.0.0/16; move it clear of it'],
    ['10.45.255.0/24', 'contains the broadcast address of 10.45.0.0/16; move it clear of it'],
    ['10.45.7.4/31', 'is too small; use /30 or larger'],
  ])('refuses %s', (staticRange, message) => {
    expect(errors({ gateway: '10.45.100.1', staticRange })).toEqual([
      `dnns[0].ipv4.staticRange: ${staticRange} ${message}`,
    ]);
  });

  it('refuses a block holding the gateway, named or default', () => {
    expect(errors({ gateway: '10.45.9.1', staticRange: '10.45.9.0/24' })).toEqual([
      'dnns[0].ipv4.staticRange: 10.45.9.0/24 contains the gateway 10.45.9.1 of 10.45.0.0/16; move it clear of it',
    ]);
  });

  it('refuses a block more than 16 prefix bits below the subnet (Open5GS takes 16 ranges)', () => {
    const data = parse(DEMO_NETWORK_YAML) as { dnns: { ipv4: Record<string, unknown> }[] };
    data.dnns[0]!.ipv4 = { subnet: '10.0.0.0/8', gateway: '10.0.0.1', staticRange: '10.200.0.0/25' };
    data.dnns[1]!.ipv4 = { subnet: '172.16.0.0/16', gateway: '172.16.0.1' };
    const r = validateNetworkSpec(data);
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toEqual([
      '10.200.0.0/25 is 17 prefix bits below 10.0.0.0/8, which leaves more than the 16 dynamic ranges Open5GS accepts; use a /24 or larger',
    ]);
  });
});

describe('rendering the static block out of the SMF pool', () => {
  const files = (ipv4: Record<string, unknown>) => {
    const r = withIpv4(ipv4);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return renderOpen5gsConfigs(r.spec);
  };
  type Session = { subnet: string; dnn: string; range?: string[] };
  const sessions = (yaml: string | undefined, nf: 'smf' | 'upf') =>
    (parse(yaml ?? '') as Record<string, { session: Session[] }>)[nf]!.session;

  it('gives the SMF session of that DNN the ranges outside the block; the UPF and other DNNs get none', () => {
    const out = files({ staticRange: '10.45.64.0/18' });
    const smf = sessions(out.get('smf.yaml'), 'smf');

    expect(smf.find((s) => s.dnn === 'internet')?.range).toEqual([
      '10.45.0.0-10.45.63.254',
      '10.45.128.0-10.45.255.254',
    ]);
    expect(smf.find((s) => s.dnn === 'gov')).not.toHaveProperty('range');
    expect(sessions(out.get('upf.yaml'), 'upf').some((s) => 'range' in s)).toBe(false);
  });

  it('renders no range without a static block', () => {
    expect(sessions(files({}).get('smf.yaml'), 'smf').some((s) => 'range' in s)).toBe(false);
  });
});

/** The demo spec with an IPv6 pool on dnns[0] (internet): the upstream sample 2001:db8:cafe::/48. */
function withIpv6(ipv6: Record<string, unknown>) {
  const data = parse(DEMO_NETWORK_YAML) as { dnns: Record<string, unknown>[] };
  data.dnns[0]!.ipv6 = { subnet: '2001:db8:cafe::/48', gateway: '2001:db8:cafe::1', ...ipv6 };
  return validateNetworkSpec(data);
}
const errors6 = (ipv6: Record<string, unknown>) => {
  const r = withIpv6(ipv6);
  return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
};

describe('dnns[].ipv6.staticRange checks (in /64s)', () => {
  it('accepts a block of /64s clear of the network and gateway /64s', () => {
    expect(errors6({ staticRange: '2001:db8:cafe:ff00::/56' })).toEqual([]);
    expect(errors6({ staticRange: '2001:db8:cafe:ff01::/64' })).toEqual([]);
  });

  it.each([
    ['2001:db8:beef::/56', 'must be a smaller block inside subnet 2001:db8:cafe::/48'],
    ['2001:db8:cafe:ff01::/80', 'is smaller than the /64 Open5GS gives each UE; use a /64 or larger'],
    // ogs_pfcp_ue_pool_generate compares the first 64 bits with the subnet's: its whole first /64 is skipped.
    ['2001:db8:cafe::/56', 'contains the network /64 of 2001:db8:cafe::/48; move it clear of it'],
  ])('refuses %s', (staticRange, message) => {
    expect(errors6({ gateway: '2001:db8:cafe:8000::1', staticRange })).toEqual([
      `dnns[0].ipv6.staticRange: ${staticRange} ${message}`,
    ]);
  });

  it("refuses a block holding the gateway's /64, not only its address", () => {
    expect(errors6({ gateway: '2001:db8:cafe:ff05::1', staticRange: '2001:db8:cafe:ff00::/56' })).toEqual([
      'dnns[0].ipv6.staticRange: 2001:db8:cafe:ff00::/56 contains the /64 of the gateway 2001:db8:cafe:ff05::1 of 2001:db8:cafe::/48; move it clear of it',
    ]);
  });

  it('refuses a block that leaves the dynamic pool empty (the SMF would then refuse static UEs too)', () => {
    // /62: /64s 0-3. Static :2::/63 leaves 0-1, rendered 0-0 (block's last /64 dropped): only the network /64.
    const data = parse(DEMO_NETWORK_YAML) as { dnns: Record<string, unknown>[]; expectedUeCount: number };
    data.expectedUeCount = 1;
    data.dnns[0]!.ipv6 = { subnet: '2001:db8:cafe::/62', staticRange: '2001:db8:cafe:2::/63' };
    const r = validateNetworkSpec(data);
    expect(r.ok ? [] : r.errors.map((e) => e.message)).toContain(
      '2001:db8:cafe:2::/63 leaves the dynamic pool of 2001:db8:cafe::/62 empty; Open5GS then refuses static UEs too',
    );
  });

  it('renders the SMF IPv6 session with the /64 ranges outside the block; the UPF gets none', () => {
    const r = withIpv6({ staticRange: '2001:db8:cafe:8000::/49' });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const out = renderOpen5gsConfigs(r.spec);
    type Session = { subnet: string; range?: string[] };
    const smf = (parse(out.get('smf.yaml') ?? '') as { smf: { session: Session[] } }).smf.session;
    const upf = (parse(out.get('upf.yaml') ?? '') as { upf: { session: Session[] } }).upf.session;

    expect(smf.find((s) => s.subnet === '2001:db8:cafe::/48')?.range).toEqual([
      '2001:db8:cafe::-2001:db8:cafe:7ffe::',
    ]);
    expect(upf.some((s) => 'range' in s)).toBe(false);
  });
});
