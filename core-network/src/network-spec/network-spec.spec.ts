import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import {
  MAX_NETWORK_SPEC_BYTES,
  parseNetworkSpec,
  specSha256,
  validateNetworkSpec,
  type NetworkSpec,
  type NetworkSpecResult,
  type SpecIssue,
} from './network-spec.js';

/** The demo spec as plain data, loosely typed so a test can break it in any way. */
type SliceData = { sst: number; sd?: string; name?: string };
type Pool = { subnet: string; gateway?: string };
type DnnData = {
  [extra: string]: unknown;
  name: string;
  ipv4: Pool;
  ipv6?: Pool;
  dns: string[];
  mtu?: number;
  slices: [SliceData, ...SliceData[]];
  expectedUes?: number;
};
type Mutable = {
  [extra: string]: unknown;
  networkName?: { full: string; short?: string };
  plmn: { mcc: string; mnc: string };
  tacs: number[];
  slices: [SliceData, SliceData, ...SliceData[]];
  dnns: [DnnData, DnnData];
  security: {
    nr: { integrity: string[]; ciphering: string[] };
    lte: { integrity: string[]; ciphering: string[] };
  };
  nf?: unknown;
};

/** A fresh, plain copy of the demo spec to break in one place. */
function demo(): Mutable {
  return parse(DEMO_NETWORK_YAML) as Mutable;
}

function errors(r: NetworkSpecResult): SpecIssue[] {
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.errors;
}

function ok(r: NetworkSpecResult): { spec: NetworkSpec; warnings: SpecIssue[] } {
  if (!r.ok) throw new Error(`expected a valid spec, got ${JSON.stringify(r.errors)}`);
  return r;
}

const rejectWith = (spec: Mutable) => errors(validateNetworkSpec(spec));

describe('parseNetworkSpec: YAML', () => {
  it('reports syntax errors with line and column', () => {
    const e = errors(parseNetworkSpec('plmn:\n  mcc: "001\n  mnc: 01\n'));
    expect(e[0]?.path).toBe('');
    expect(e[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
  });

  it('rejects duplicate keys, oversized input and alias bombs', () => {
    expect(errors(parseNetworkSpec('tacs: [1]\ntacs: [2]\n'))[0]?.message).toMatch(
      /line 2, column 1.*unique/i,
    );
    const big = `# ${'x'.repeat(MAX_NETWORK_SPEC_BYTES)}\n`;
    expect(errors(parseNetworkSpec(big))[0]?.message).toMatch(/limit is 262144 bytes/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]'];
    bomb.push('c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]');
    expect(errors(parseNetworkSpec(bomb.join('\n')))[0]?.message).toMatch(/aliases expand too much/);
  });

  it('reads unquoted MCC, MNC and SD as the digits written, not as numbers', () => {
    const text = DEMO_NETWORK_YAML.replace("mcc: '001'", 'mcc: 001')
      .replace("mnc: '01'", 'mnc: 01')
      .replace("sd: '000001'", 'sd: 000001');
    const { spec } = ok(parseNetworkSpec(text));
    expect(spec.plmn).toEqual({ mcc: '001', mnc: '01' });
    expect(spec.slices[1]?.sd).toBe('000001');
  });

  it('refuses an empty document and unknown keys (strict)', () => {
    expect(errors(parseNetworkSpec(''))).toEqual([{ path: '', message: 'the spec is empty' }]);
    const spec = demo();
    spec.dnns[0].dnss = ['1.1.1.1'];
    spec.plmm = {};
    expect(rejectWith(spec)).toEqual([
      { path: 'dnns[0].dnss', message: 'unknown key' },
      { path: 'plmm', message: 'unknown key' },
    ]);
  });
});

describe('schema rules', () => {
  it('MNC of the wrong length and MCC not 3 digits', () => {
    const spec = demo();
    spec.plmn = { mcc: '1', mnc: '0001' };
    expect(rejectWith(spec)).toEqual([
      {
        path: 'plmn.mcc',
        message: "MCC must be exactly 3 digits, leading zeros included; quote it: mcc: '001'",
      },
      { path: 'plmn.mnc', message: 'MNC must be 2 or 3 digits, got 4 ("0001")' },
    ]);
  });

  it('SD must be exactly 6 hex digits, and not the "no SD" value', () => {
    const spec = demo();
    spec.slices[1].sd = '0001';
    spec.dnns[1].slices[0].sd = 'FFFFFF';
    expect(rejectWith(spec)).toEqual([
      { path: 'slices[1].sd', message: 'SD must be exactly 6 hex digits, e.g. "000001"' },
      {
        path: 'dnns[1].slices[0].sd',
        message: 'SD ffffff means "no SD" (TS 23.003 §28.4.2); omit sd instead',
      },
    ]);
  });

  it('TAC range, SST range, subnet form, DNN name and required fields', () => {
    const spec = demo();
    spec.tacs = [16_777_216];
    spec.slices[0].sst = 0;
    spec.dnns[0].ipv4.subnet = '10.45.0.1/16';
    spec.dnns[1].name = 'gov_net';
    delete spec.networkName;
    expect(rejectWith(spec).map((e) => e.path)).toEqual([
      'networkName',
      'tacs[0]',
      'slices[0].sst',
      'dnns[0].ipv4.subnet',
      'dnns[1].name',
    ]);
    expect(rejectWith(spec)[0]?.message).toBe('required (object)');
    expect(rejectWith(spec)[3]?.message).toBe(
      '10.45.0.1/16 has host bits set; write the network address 10.45.0.0/16',
    );
  });

  it('fills Open5GS defaults for every NF address and port', () => {
    const { spec } = ok(validateNetworkSpec(demo()));
    expect(spec.nf.amf.ngap).toEqual({ address: '127.0.0.5', port: 38412 });
    expect(spec.nf.smf.pfcp).toEqual({ address: '127.0.0.4', port: 8805 });
    expect(spec.nf.upf).toMatchObject({ gtpu: { address: '127.0.0.7', port: 2152 } });
    expect(spec.nf.scp.sbi).toEqual({ address: '127.0.0.200', port: 7777 });
    expect(spec.nf.mme.s1ap).toEqual({ address: '127.0.0.2', port: 36412 });
    expect(spec.nf.amf).toMatchObject({ name: 'open5gs-amf0', regionId: 2, setId: 1, t3512Seconds: 540 });
  });

  it('keeps a partial override and defaults the rest', () => {
    const spec = demo();
    spec.nf = { amf: { ngap: { address: '192.0.2.10' } } };
    const parsed = ok(validateNetworkSpec(spec)).spec;
    expect(parsed.nf.amf.ngap).toEqual({ address: '192.0.2.10', port: 38412 });
    expect(parsed.nf.amf.sbi).toEqual({ address: '127.0.0.5', port: 7777 });
  });
});

describe('cross-field checks', () => {
  it('a DNN offered in an undeclared slice', () => {
    const spec = demo();
    spec.dnns[1].slices = [{ sst: 1, sd: '000002' }];
    expect(rejectWith(spec)).toContainEqual({
      path: 'dnns[1].slices[0]',
      message: 'slice SST 1 SD 000002 is not declared in slices (declared: SST 1, SST 1 SD 000001)',
    });
  });

  it('overlapping UE subnets, IPv4 and IPv6', () => {
    const spec = demo();
    spec.dnns[1].ipv4 = { subnet: '10.45.128.0/17', gateway: '10.45.128.1' };
    spec.dnns[0].ipv6 = { subnet: '2001:db8:cafe::/48' };
    spec.dnns[1].ipv6 = { subnet: '2001:db8::/32' };
    expect(rejectWith(spec)).toEqual([
      {
        path: 'dnns[1].ipv4.subnet',
        message: '10.45.128.0/17 overlaps dnns[0].ipv4.subnet 10.45.0.0/16 (internet)',
      },
      {
        path: 'dnns[1].ipv6.subnet',
        message: '2001:db8::/32 overlaps dnns[0].ipv6.subnet 2001:db8:cafe::/48 (internet)',
      },
    ]);
  });

  it('gateway outside its subnet, or on the network/broadcast address', () => {
    const spec = demo();
    spec.dnns[0].ipv4.gateway = '10.46.0.1';
    spec.dnns[1].ipv4.gateway = '10.46.255.255';
    expect(rejectWith(spec)).toEqual([
      { path: 'dnns[0].ipv4.gateway', message: '10.46.0.1 is outside subnet 10.45.0.0/16' },
      {
        path: 'dnns[1].ipv4.gateway',
        message: '10.46.255.255 is the broadcast address of 10.46.0.0/16; use a host address',
      },
    ]);
  });

  it('duplicate TACs, slices and DNNs', () => {
    const spec = demo();
    spec.tacs = [1, 2, 1];
    spec.slices.push({ sst: 1, sd: '000001' });
    spec.dnns[1].name = 'Internet';
    expect(rejectWith(spec)).toEqual([
      { path: 'tacs[2]', message: 'TAC 1 is listed twice (first at tacs[0])' },
      { path: 'slices[2]', message: 'slice SST 1 SD 000001 is declared twice (first at slices[1])' },
      { path: 'dnns[1].name', message: 'DNN "Internet" is declared twice (first at dnns[0])' },
    ]);
  });

  it('expected UE count larger than a subnet can hold', () => {
    const spec = demo();
    spec.dnns[1].ipv4 = { subnet: '10.46.0.0/24', gateway: '10.46.0.1' };
    expect(rejectWith(spec)).toEqual([
      {
        path: 'dnns[1].ipv4.subnet',
        message:
          '10.46.0.0/24 holds 253 UE addresses but 10,000 UEs are expected (expectedUeCount); use a /18 or larger',
      },
    ]);
    spec.dnns[1].expectedUes = 200;
    expect(validateNetworkSpec(spec).ok).toBe(true);
    spec.dnns[1].expectedUes = 20_000;
    expect(rejectWith(spec)[0]).toEqual({
      path: 'dnns[1].expectedUes',
      message: '20000 is more than expectedUeCount (10000)',
    });
  });

  it("an IPv6 pool gives each UE a /64, never the network's, the gateway's or the last: a /63 gives none", () => {
    const spec = demo();
    spec.dnns[1].expectedUes = 2;
    spec.dnns[1].ipv6 = { subnet: '2001:db8:46::/63' };
    expect(rejectWith(spec)).toEqual([
      {
        path: 'dnns[1].ipv6.subnet',
        message:
          "2001:db8:46::/63 gives UEs 0 /64 prefixes (Open5GS skips the network's, the gateway's and the last /64) but 2 UEs are expected; use a /61 or larger",
      },
    ]);
    spec.dnns[1].ipv6 = { subnet: '2001:db8:46::/61' };
    expect(validateNetworkSpec(spec).ok).toBe(true);
  });

  it('one DNS list and MTU for every DNN (Open5GS 2.7 SMF limitation)', () => {
    const spec = demo();
    spec.dnns[1].dns = ['10.0.0.53'];
    spec.dnns[1].mtu = 1500;
    expect(rejectWith(spec).map((e) => e.path)).toEqual(['dnns[1].dns', 'dnns[1].mtu']);
  });

  it('more than two DNS servers of one family', () => {
    const spec = demo();
    for (const dnn of spec.dnns) dnn.dns = ['1.1.1.1', '8.8.8.8', '9.9.9.9'];
    expect(rejectWith(spec)).toContainEqual({
      path: 'dnns[0].dns[2]',
      message: 'Open5GS uses only two IPv4 DNS servers (primary, secondary); remove 9.9.9.9',
    });
  });

  it('UE pools in reserved ranges', () => {
    const spec = demo();
    spec.dnns[0].ipv4 = { subnet: '127.16.0.0/16' };
    expect(rejectWith(spec)).toEqual([
      {
        path: 'dnns[0].ipv4.subnet',
        message: '127.16.0.0/16 overlaps 127.0.0.0/8 (loopback, where Open5GS NFs listen by default)',
      },
    ]);
  });

  it('two NFs on the same address, port and transport', () => {
    const spec = demo();
    spec.nf = { ausf: { sbi: { address: '127.0.0.5' } } };
    expect(rejectWith(spec)).toEqual([
      { path: 'nf.ausf.sbi', message: '127.0.0.5 port 7777/tcp is already used by nf.amf.sbi' },
    ]);
  });

  it('duplicate security algorithms are errors; null integrity after a real one is a warning', () => {
    const spec = demo();
    spec.security.nr.integrity = ['NIA2', 'NIA2'];
    expect(rejectWith(spec)).toEqual([
      { path: 'security.nr.integrity[1]', message: 'NIA2 is listed twice (first at [0])' },
    ]);
    spec.security.nr.integrity = ['NIA2', 'NIA0'];
    expect(ok(validateNetworkSpec(spec)).warnings.map((w) => w.path)).toEqual(['security.nr.integrity[1]']);
  });

  it('warns about TACs LTE cannot carry and slices no DNN is offered in', () => {
    const spec = demo();
    spec.tacs = [1, 70_000];
    spec.slices.push({ sst: 2 });
    expect(ok(validateNetworkSpec(spec)).warnings).toEqual([
      {
        path: 'tacs[1]',
        message: "TAC 70000 does not fit LTE's 16 bits; it is served by the AMF (5G) only, not the MME",
      },
      { path: 'slices[2]', message: 'no DNN is offered in slice SST 2; UEs in it cannot open a session' },
    ]);
    spec.tacs = [70_000];
    expect(rejectWith(spec)).toEqual([
      { path: 'tacs', message: 'the MME (4G) needs at least one TAC of 0-65535' },
    ]);
  });
});

describe('specSha256', () => {
  it('names the content, not the formatting', () => {
    const a = ok(parseNetworkSpec(DEMO_NETWORK_YAML)).spec;
    const b = ok(
      parseNetworkSpec(`# reformatted\n${DEMO_NETWORK_YAML.replace('tacs: [1]', 'tacs:\n  - 1')}`),
    ).spec;
    expect(specSha256(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(specSha256(b)).toBe(specSha256(a));
    expect(specSha256({ ...a, expectedUeCount: 9_999 })).not.toBe(specSha256(a));
  });
});
