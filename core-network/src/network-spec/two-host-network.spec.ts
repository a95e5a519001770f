import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderFreeDiameterConfigs, renderOpen5gsConfigs } from '../open5gs/config/render.js';
import { renderUpfHostFiles } from '../open5gs/config/render-upf-host.js';
import { parseNetworkSpec } from './network-spec.js';

/** The README's two-host walkthrough spec: valid, and rendering what each host needs. */
describe('two-host-network.yaml', () => {
  const r = parseNetworkSpec(readFileSync(new URL('./two-host-network.yaml', import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const rendered = new Map([...renderOpen5gsConfigs(r.spec)].map(([n, t]) => [n, parse(t) as unknown]));
  /** A key of a rendered file as Open5GS reads it: `at('smf.yaml', 'smf', 'pfcp')`. */
  const at = (file: string, ...keys: string[]) =>
    keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], rendered.get(file));

  it('parses without errors or warnings', () => {
    expect(r.warnings).toEqual([]);
  });

  it('host A’s SMF dials the UPF on host B; the UPF binds host B and advertises the NAT address', () => {
    expect(at('smf.yaml', 'smf', 'pfcp')).toEqual({
      server: [{ address: '10.10.0.1' }],
      client: { upf: [{ address: '10.10.0.2' }] },
    });
    expect(at('upf.yaml', 'upf', 'gtpu')).toEqual({
      server: [{ address: '10.10.0.2', advertise: '203.0.113.2' }],
    });
    expect(at('upf.yaml', 'upf', 'session')).toEqual([
      { subnet: '10.45.0.0/16', gateway: '10.45.0.1', dnn: 'internet' },
      { subnet: '10.46.0.0/16', gateway: '10.46.0.1', dnn: 'gov', dev: 'ogsgov' },
    ]);
  });

  it('host B gets both tun devices, their gateways, NAT for internet and plain routing for gov', () => {
    const [host] = renderUpfHostFiles(r.spec);
    expect([...host!.files.keys()]).toEqual([
      '50-pakawaaz-ogstun.netdev',
      '50-pakawaaz-ogstun.network',
      '50-pakawaaz-ogsgov.netdev',
      '50-pakawaaz-ogsgov.network',
      '30-pakawaaz-upf.conf',
      'pakawaaz-upf.nft',
    ]);
    expect(host!.files.get('50-pakawaaz-ogsgov.network')).toContain('Address=10.46.0.1/16');
    const nft = host!.files.get('pakawaaz-upf.nft')!;
    expect(nft).toContain('ip saddr 10.45.0.0/16 oifname != "ogstun" masquerade');
    expect(nft).not.toContain('ip saddr 10.46.0.0/16 oifname != "ogsgov" masquerade');
  });

  it('runs SBI and Diameter over TLS: https by FQDN with mutual TLS, freeDiameter on its TLS port only', () => {
    expect(at('amf.yaml', 'amf', 'sbi', 'server')).toEqual([
      { address: 'amf.5gc.mnc001.mcc001.3gppnetwork.org', port: 7777 },
    ]);
    expect(at('amf.yaml', 'amf', 'default', 'tls', 'server')).toMatchObject({
      scheme: 'https',
      verify_client: true,
    });
    const mme = renderFreeDiameterConfigs(r.spec).get('mme.conf') ?? '';
    expect(mme).toMatch(/^Identity = "mme\.epc\.mnc001\.mcc001\.3gppnetwork\.org";$/m);
    expect(mme).toMatch(/^Port = 0;$/m);
    expect(mme).toMatch(/^TLS_Cred = /m);
  });

  it('refuses a host interface as a DNN tun device: the rendered units and nftables would lock the host out', () => {
    const yaml = readFileSync(new URL('./two-host-network.yaml', import.meta.url), 'utf8');
    for (const device of ['lo', 'eth0', 'enp1s0', 'br0']) {
      const bad = parseNetworkSpec(yaml.replace('device: ogsgov', `device: ${device}`));
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.errors.map((e) => e.path)).toEqual(['dnns[1].device']);
    }
  });
});
