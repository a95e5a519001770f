import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateNetworkSpec } from '../../network-spec/network-spec.js';
import { renderOpen5gsConfigs } from './render.js';
import { demoWith } from './upf-host-test-support.js';

/*
 * Several UPFs/SGW-Us and `advertise`, against the keys Open5GS 2.7.7 reads: `pfcp.client.upf[]` with `dnn`
 * and `tac` (and `pfcp.client.sgwu[]` with `apn`, sgwc.yaml.in's spelling) in lib/pfcp/context.c
 * ogs_pfcp_context_parse_config; `advertise` in the sbi (lib/sbi/context.c), pfcp (lib/pfcp/context.c) and gtpu
 * (lib/gtp/context.c) `server` entries. The shapes are those of smf.yaml.in's and sgwc.yaml.in's comments.
 */

const TWO_UPFS = {
  smf: { pfcp: { address: '10.10.0.1' } },
  // On one host, the SGW-C and SGW-Us need addresses of their own: they bind the same PFCP/GTP-U ports.
  sgwc: { pfcp: { address: '10.10.0.11' } },
  upf: [
    {
      name: 'edge',
      pfcp: { address: '10.10.0.2' },
      gtpu: { address: '10.10.0.2', advertise: '203.0.113.2' },
      metrics: { address: '10.10.0.2' },
      dnns: ['gov'],
    },
    {
      name: 'central',
      pfcp: { address: '10.10.0.3' },
      gtpu: { address: '10.10.0.3' },
      metrics: { address: '10.10.0.3' },
      dnns: ['internet', 'gov'],
    },
  ],
  sgwu: [
    { name: 'a', pfcp: { address: '10.10.0.12' }, gtpu: { address: '10.10.0.12' }, tacs: [1] },
    { name: 'b', pfcp: { address: '10.10.0.13' }, gtpu: { address: '10.10.0.13' } },
  ],
};

/** Renders and reads back: `at('smf.yaml', 'smf.pfcp.client')` is that key of that file, as Open5GS reads it. */
function files(nf: unknown): { names: string[]; at: (file: string, path: string) => unknown } {
  const spec = demoWith((raw) => (raw.nf = nf));
  const parsed = new Map(
    [...renderOpen5gsConfigs(spec)].map(([name, text]) => [name, parse(text) as unknown]),
  );
  const at = (file: string, path: string) =>
    path
      .split('.')
      .reduce<unknown>(
        (v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
        parsed.get(file),
      );
  return { names: [...parsed.keys()], at };
}

describe('several UPFs and SGW-Us', () => {
  const rendered = files(TWO_UPFS);

  it('renders one file per node, named after it, with its own log', () => {
    const names = rendered.names;
    expect(names.filter((n) => /^(upf|sgwu)/.test(n))).toEqual([
      'upf-edge.yaml',
      'upf-central.yaml',
      'sgwu-a.yaml',
      'sgwu-b.yaml',
    ]);
    expect(rendered.at('upf-edge.yaml', 'logger')).toEqual({
      file: { path: '/var/log/open5gs/upf-edge.log' },
    });
  });

  it('the SMF lists every UPF with the selection keys its spec gives', () => {
    expect(rendered.at('smf.yaml', 'smf.pfcp.client')).toEqual({
      upf: [
        { address: '10.10.0.2', dnn: 'gov' },
        { address: '10.10.0.3', dnn: ['internet', 'gov'] },
      ],
    });
  });

  it('each UPF routes the pools of its own DNNs only', () => {
    const sessions = (f: string) => (rendered.at(f, 'upf.session') as { dnn: string }[]).map((s) => s.dnn);
    expect(sessions('upf-edge.yaml')).toEqual(['gov']);
    expect(sessions('upf-central.yaml')).toEqual(['internet', 'gov']);
  });

  it('the SGW-C lists every SGW-U, selection as sgwc.yaml.in writes it', () => {
    expect(rendered.at('sgwc.yaml', 'sgwc.pfcp.client')).toEqual({
      sgwu: [{ address: '10.10.0.12', tac: 1 }, { address: '10.10.0.13' }],
    });
  });

  it('writes the advertised GTP-U address in the UPF’s server entry', () => {
    expect(rendered.at('upf-edge.yaml', 'upf.gtpu')).toEqual({
      server: [{ address: '10.10.0.2', advertise: '203.0.113.2' }],
    });
  });

  it('lists of several DNNs and TACs are flow lists, as in smf.yaml.in', () => {
    const spec = demoWith((raw) => {
      raw.tacs = [1, 2];
      const nf = structuredClone(TWO_UPFS);
      Object.assign(nf.upf[1]!, { tacs: [1, 2] });
      raw.nf = nf;
    });
    const smf = renderOpen5gsConfigs(spec).get('smf.yaml')!;
    expect(smf).toContain('dnn: [internet, gov]');
    expect(smf).toContain('tac: [1, 2]');
  });
});

describe('advertise', () => {
  it('peers dial the advertised address; the NF binds its own and advertises the other', () => {
    const rendered = files({
      scp: { sbi: { address: '10.0.0.200', advertise: 'scp.core.example' } },
      smf: { pfcp: { address: '10.0.0.4', advertise: '198.51.100.4' } },
      upf: { pfcp: { address: '10.0.0.7', advertise: '198.51.100.7' }, metrics: { address: '10.0.0.7' } },
    });
    expect(rendered.at('scp.yaml', 'scp.sbi.server')).toEqual([
      { address: '10.0.0.200', advertise: 'scp.core.example', port: 7777 },
    ]);
    expect(rendered.at('amf.yaml', 'amf.sbi.client')).toEqual({
      scp: [{ uri: 'http://scp.core.example:7777' }],
    });
    expect(rendered.at('smf.yaml', 'smf.pfcp')).toEqual({
      server: [{ address: '10.0.0.4', advertise: '198.51.100.4' }],
      client: { upf: [{ address: '198.51.100.7' }] },
    });
    expect(rendered.at('upf.yaml', 'upf.pfcp')).toEqual({
      server: [{ address: '10.0.0.7', advertise: '198.51.100.7' }],
    });
  });

  it('refuses an IPv6 literal as an SBI advertise (Open5GS splits it at the first colon)', () => {
    const r = validateNetworkSpec({ nf: { nrf: { sbi: { advertise: '2001:db8::1' } } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toContain('nf.nrf.sbi.advertise');
  });
});
