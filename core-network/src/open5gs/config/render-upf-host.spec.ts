import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderUpfHostFiles } from './render-upf-host.js';
import { demoWith, readUnit } from './upf-host-test-support.js';

const UPSTREAM = new URL('./__upstream__/open5gs-2.7.7-systemd/', import.meta.url);
const upstream = (file: string) => readFileSync(new URL(file, UPSTREAM), 'utf8');

/** The files of the one UPF of a spec. */
function hostFiles(spec = demoWith()): Map<string, string> {
  const all = renderUpfHostFiles(spec);
  expect(all).toHaveLength(1);
  return all[0]!.files;
}

describe('UPF host units against Open5GS 2.7.7’s own 99-open5gs.netdev/.network', () => {
  // The samples' pools (upf.yaml.in): 10.45.0.0/16 and 2001:db8:cafe::/48 on ogstun, MTU 1400.
  const files = hostFiles(
    demoWith((raw) => {
      raw.dnns.splice(1);
      raw.dnns[0].ipv6 = { subnet: '2001:db8:cafe::/48', gateway: '2001:db8:cafe::1' };
    }),
  );

  it('the upstream fixtures are the unmodified Open5GS 2.7.7 files', () => {
    for (const line of upstream('SHA256SUMS').trim().split('\n')) {
      const [sum, file] = line.split(/\s+/);
      expect(createHash('sha256').update(upstream(file!)).digest('hex'), file).toBe(sum);
    }
  });

  it('the .netdev is upstream’s, key for key', () => {
    expect(readUnit(files.get('50-pakawaaz-ogstun.netdev')!)).toEqual(
      readUnit(upstream('99-open5gs.netdev')),
    );
  });

  it('the .network is upstream’s, key for key, but for how the IPv6 destination is written', () => {
    const rendered = readUnit(files.get('50-pakawaaz-ogstun.network')!);
    const expected = readUnit(upstream('99-open5gs.network')).map((e) =>
      // The same prefix: the spec's own text for it, where upstream writes a redundant ::0.
      e.value === '2001:db8:cafe::0/48' ? { ...e, value: '2001:db8:cafe::/48' } : e,
    );
    expect(rendered).toEqual(expected);
  });
});

describe('renderUpfHostFiles on the demo spec', () => {
  const files = hostFiles();

  it('puts both DNNs’ gateways on ogstun, the device upf.yaml routes them to', () => {
    expect([...files.keys()]).toEqual([
      '50-pakawaaz-ogstun.netdev',
      '50-pakawaaz-ogstun.network',
      '30-pakawaaz-upf.conf',
      'pakawaaz-upf.nft',
    ]);
    const network = readUnit(files.get('50-pakawaaz-ogstun.network')!);
    expect(network.filter((e) => e.key === 'Address').map((e) => e.value)).toEqual([
      '10.45.0.1/16',
      '10.46.0.1/16',
    ]);
    expect(network.filter((e) => e.key === 'Destination').map((e) => e.value)).toEqual([
      '10.45.0.0/16',
      '10.46.0.0/16',
    ]);
  });

  it('enables IPv4 forwarding only (no DNN has IPv6)', () => {
    const lines = files
      .get('30-pakawaaz-upf.conf')!
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['net.ipv4.ip_forward=1']);
  });

  it('masquerades both DNNs (default egress nat) and isolates them from each other', () => {
    const nft = files.get('pakawaaz-upf.nft')!;
    expect(nft).toContain('table inet pakawaaz_upf {');
    expect(nft).toContain('ip saddr 10.45.0.0/16 oifname != "ogstun" masquerade');
    expect(nft).toContain('ip saddr 10.46.0.0/16 oifname != "ogstun" masquerade');
    expect(nft).toContain('ip saddr 10.45.0.0/16 ip daddr 10.46.0.0/16 drop');
    expect(nft).toContain('ip saddr 10.46.0.0/16 ip daddr 10.45.0.0/16 drop');
    expect(nft).toContain('iifname "ogstun" ip saddr != { 10.45.0.0/16, 10.46.0.0/16 } drop');
  });
});

describe('renderUpfHostFiles options', () => {
  it('a DNN with its own device gets its own units and anti-spoofing rules', () => {
    const files = hostFiles(demoWith((raw) => (raw.dnns[1].device = 'ogsgov')));
    expect(readUnit(files.get('50-pakawaaz-ogsgov.network')!)).toContainEqual({
      section: 'Network',
      key: 'Address',
      value: '10.46.0.1/16',
    });
    expect(
      readUnit(files.get('50-pakawaaz-ogstun.network')!).filter((e) => e.key === 'Address'),
    ).toHaveLength(1);
    const nft = files.get('pakawaaz-upf.nft')!;
    expect(nft).toContain('iifname != "ogsgov" ip saddr 10.46.0.0/16 drop');
    expect(nft).toContain('iifname { "ogstun", "ogsgov" } drop');
  });

  it('egress route forwards without NAT; none keeps the DNN to itself', () => {
    const nft = hostFiles(
      demoWith((raw) => {
        raw.dnns[0].egress = 'route';
        raw.dnns[1].egress = 'none';
      }),
    ).get('pakawaaz-upf.nft')!;
    expect(nft).not.toContain('masquerade');
    expect(nft).not.toContain('postrouting');
    expect(nft).toContain('ip saddr 10.46.0.0/16 oifname != "ogstun" drop');
    expect(nft).not.toContain('ip saddr 10.45.0.0/16 oifname');
  });

  it('IPv6 pools turn on IPv6 forwarding and get IPv6 rules', () => {
    const files = hostFiles(demoWith((raw) => (raw.dnns[0].ipv6 = { subnet: '2001:db8:cafe::/48' })));
    expect(files.get('30-pakawaaz-upf.conf')).toContain('\nnet.ipv6.conf.all.forwarding=1\n');
    expect(files.get('pakawaaz-upf.nft')).toContain(
      'ip6 saddr 2001:db8:cafe::/48 oifname != "ogstun" masquerade',
    );
    expect(readUnit(files.get('50-pakawaaz-ogstun.network')!)).toContainEqual({
      section: 'Network',
      key: 'Address',
      value: '2001:db8:cafe::1/48',
    });
  });

  it('several UPFs: each gets the devices and rules of its own DNNs, in its own table', () => {
    const spec = demoWith((raw) => {
      raw.nf = {
        smf: { pfcp: { address: '10.10.0.1' } },
        upf: [
          {
            name: 'a',
            pfcp: { address: '10.10.0.2' },
            gtpu: { address: '10.10.0.2' },
            metrics: { address: '10.10.0.2' },
            dnns: ['internet'],
          },
          {
            name: 'b',
            pfcp: { address: '10.10.0.3' },
            gtpu: { address: '10.10.0.3' },
            metrics: { address: '10.10.0.3' },
            dnns: ['gov'],
          },
        ],
      };
    });
    const [a, b] = renderUpfHostFiles(spec);
    expect(a!.upf).toBe('a');
    expect([...b!.files.keys()]).toContain('pakawaaz-upf-b.nft');
    expect(a!.files.get('50-pakawaaz-ogstun.network')).toContain('Address=10.45.0.1/16');
    expect(a!.files.get('50-pakawaaz-ogstun.network')).not.toContain('10.46.');
    expect(b!.files.get('50-pakawaaz-ogstun.network')).toContain('Address=10.46.0.1/16');
    expect(b!.files.get('pakawaaz-upf-b.nft')).toContain('table inet pakawaaz_upf_b {');
    // b's table names a's pool only to keep b's UEs from it (the two may share a host).
    const bNft = b!.files.get('pakawaaz-upf-b.nft') ?? '';
    expect(bNft.split('\n').filter((l) => l.includes('10.45.'))).toEqual([
      '\t\tip saddr 10.46.0.0/16 ip daddr 10.45.0.0/16 drop',
    ]);
    expect(a!.files.get('pakawaaz-upf-a.nft')).toContain('ip saddr 10.45.0.0/16 ip daddr 10.46.0.0/16 drop');
  });
});
