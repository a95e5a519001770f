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
