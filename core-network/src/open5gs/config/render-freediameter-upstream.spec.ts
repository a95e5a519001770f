import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SBI_NFS } from '../../network-spec/node-names.js';
import { validateNetworkSpec, type NetworkSpecInput } from '../../network-spec/network-spec.js';
import { FREE_DIAMETER_CONFIG_FILES, renderFreeDiameterConfigs, renderOpen5gsConfigs } from './render.js';

/*
 * Goldens: Open5GS 2.7.7's configs/freeDiameter/*.conf.in (copied verbatim into
 * __upstream__/open5gs-2.7.7/freeDiameter/) and the "HTTPS scheme with TLS" blocks that its
 * configs/open5gs/*.yaml.in show in comments. Both sides are parsed (freeDiameter's grammar, libfdcore/fdd.y;
 * YAML as Open5GS reads it) and compared directive for directive.
 */

const UPSTREAM = new URL('./__upstream__/open5gs-2.7.7/', import.meta.url);
/** meson's conf_data of a Debian/Ubuntu package build: sysconfdir /etc, libdir /usr/lib/x86_64-linux-gnu. */
const substitute = (text: string) =>
  text
    .replaceAll('@sysconfdir@', '/etc')
    .replaceAll('@localstatedir@', '/var')
    .replaceAll('@libdir@', '/usr/lib/x86_64-linux-gnu');
const upstream = (file: string) => substitute(readFileSync(new URL(file, UPSTREAM), 'utf8'));

type Directive = { key: string; value?: string; params?: Directive[] };

/**
 * freeDiameter's configuration grammar, as far as the samples use it: `Key;`, `Key = value[, value][: value];`
 * and `ConnectPeer = "id" { param; … };`, `#` comments. Keys are case-insensitive (fdd.l), quotes dropped.
 */
export function parseFreeDiameter(text: string): Directive[] {
  const body = text
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .join('\n');
  const statements: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (const c of body) {
    if (c === '"') quoted = !quoted;
    if (!quoted && c === '{') depth++;
    if (!quoted && c === '}') depth--;
    if (!quoted && depth === 0 && c === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim()) throw new Error(`unterminated statement: ${current.trim()}`);
  return statements.map((s) => {
    const braces = /^(.*?)\{(.*)\}\s*$/s.exec(s);
    const head = braces ? braces[1]! : s;
    const [key, ...rest] = head.split('=');
    const d: Directive = { key: key!.trim().toLowerCase() };
    if (rest.length > 0) d.value = rest.join('=').replace(/"/g, '').replace(/\s+/g, ' ').trim();
    if (braces) d.params = parseFreeDiameter(braces[2]!);
    return d;
  });
}

/** The samples' settings: realm and identities `localdomain`, the loopback addresses, standard ports. */
const SAMPLE: NetworkSpecInput = {
  networkName: { full: 'Open5GS' },
  plmn: { mcc: '999', mnc: '70' },
  tacs: [1],
  slices: [{ sst: 1 }],
  dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
  diameter: {
    realm: 'localdomain',
    mme: { identity: 'mme.localdomain' },
    hss: { identity: 'hss.localdomain' },
    smf: { identity: 'smf.localdomain' },
    pcrf: { identity: 'pcrf.localdomain' },
  },
  sbi: { domain: 'localdomain' },
};

function specWith(patch: { diameterTls?: boolean; sbiTls?: boolean }) {
  const input = structuredClone(SAMPLE) as NetworkSpecInput & {
    diameter: { tls?: boolean };
    sbi: { tls?: boolean };
  };
  input.diameter.tls = patch.diameterTls ?? false;
  input.sbi.tls = patch.sbiTls ?? false;
  const r = validateNetworkSpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

type Change = { file: string; missing: Directive[]; added: Directive[] };

/** Directives of the sample that the rendering lacks, and those it adds (order-insensitive, as freeDiameter reads them). */
function compare(file: string, sample: Directive[], rendered: Directive[]): Change {
  const key = (d: Directive) => JSON.stringify(d);
  const left = sample.map(key);
  const right = rendered.map(key);
  return {
    file,
    missing: sample.filter((d) => !right.includes(key(d))),
    added: rendered.filter((d) => !left.includes(key(d))),
  };
}

const PEER = { mme: 'hss', hss: 'mme', smf: 'pcrf', pcrf: 'smf' } as const;
const ADDRESS = { mme: '127.0.0.2', hss: '127.0.0.8', smf: '127.0.0.4', pcrf: '127.0.0.9' } as const;
const NFS = ['mme', 'hss', 'smf', 'pcrf'] as const;

describe('freeDiameter configs against Open5GS 2.7.7’s configs/freeDiameter samples', () => {
  it('the upstream fixtures are the unmodified Open5GS 2.7.7 files', () => {
    const sums = readFileSync(new URL('freeDiameter/SHA256SUMS', UPSTREAM), 'utf8').trim().split('\n');
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/);
      const raw = readFileSync(new URL(`freeDiameter/${file}`, UPSTREAM));
      expect(createHash('sha256').update(raw).digest('hex'), file).toBe(sum);
    }
    expect(sums.map((l) => l.split(/\s+/)[1]).sort()).toEqual(
      FREE_DIAMETER_CONFIG_FILES.map((f) => `${f}.in`).sort(),
    );
  });

  it('the parser reads the samples as freeDiameter does (each directive, the peer block)', () => {
    const mme = parseFreeDiameter(upstream('freeDiameter/mme.conf.in'));
    expect(mme.map((d) => d.key)).toEqual([
      'identity',
      'realm',
      'listenon',
      'tls_cred',
      'tls_ca',
      'norelay',
      ...Array<string>(7).fill('loadextension'),
      'connectpeer',
    ]);
    expect(mme.at(-1)).toEqual({
      key: 'connectpeer',
      value: 'hss.localdomain',
      params: [{ key: 'connectto', value: '127.0.0.8' }, { key: 'no_tls' }],
    });
  });

  it('plain Diameter: the samples, but without certificate files and with the TLS port closed', () => {
    const rendered = renderFreeDiameterConfigs(specWith({}));
    const changes = FREE_DIAMETER_CONFIG_FILES.map((file) =>
      compare(
        file,
        parseFreeDiameter(upstream(`freeDiameter/${file}.in`)),
        parseFreeDiameter(rendered.get(file) ?? ''),
      ),
    );
    // Each difference, with its reason: freeDiameter runs without TLS only when no TLS_Cred is given and
    // SecPort is 0 (libfdcore/config.c); the samples name certificate files that must exist although every
    // peer is No_TLS.
    expect(changes).toEqual(
      NFS.map((nf) => ({
        file: `${nf}.conf`,
        missing: [
          { key: 'tls_cred', value: `/etc/open5gs/tls/${nf}.crt, /etc/open5gs/tls/${nf}.key` },
          { key: 'tls_ca', value: '/etc/open5gs/tls/ca.crt' },
        ],
        added: [{ key: 'secport', value: '0' }],
      })),
    );
  });

  it('Diameter over TLS: the samples’ certificate lines, TLS peers, and no plain port', () => {
    const rendered = renderFreeDiameterConfigs(specWith({ diameterTls: true }));
    const changes = FREE_DIAMETER_CONFIG_FILES.map((file) =>
      compare(
        file,
        parseFreeDiameter(upstream(`freeDiameter/${file}.in`)),
        parseFreeDiameter(rendered.get(file) ?? ''),
      ),
    );
    expect(changes).toEqual(
      NFS.map((nf) => ({
        file: `${nf}.conf`,
        missing: [
          {
            key: 'connectpeer',
            value: `${PEER[nf]}.localdomain`,
            params: [{ key: 'connectto', value: ADDRESS[PEER[nf]] }, { key: 'no_tls' }],
          },
        ],
        added: [
          { key: 'port', value: '0' },
          {
            key: 'connectpeer',
            value: `${PEER[nf]}.localdomain`,
            params: [{ key: 'connectto', value: ADDRESS[PEER[nf]] }],
          },
        ],
      })),
    );
  });

  it('the YAML of each Diameter NF points at its rendered file', () => {
    const yaml = renderOpen5gsConfigs(specWith({}), { freeDiameterDir: '/srv/fd' });
    for (const nf of NFS) {
      const doc = parse(yaml.get(`${nf}.yaml`) ?? '') as Record<string, { freeDiameter: string }>;
      expect(doc[nf]?.freeDiameter).toBe(`/srv/fd/${nf}.conf`);
    }
  });
});

/** The commented "o Add client TLS verification" block of a sample, uncommented and parsed. */
function sampleTlsBlock(nf: string): Record<string, unknown> {
  const lines = upstream(`${nf}.yaml.in`).split('\n');
  const start = lines.findIndex((l) => l.includes('o Add client TLS verification'));
  const block: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#\s+o /.test(line) || /^####/.test(line) || !line.startsWith('#')) break;
    block.push(line.slice(1));
  }
  return parse(block.join('\n'), { schema: 'failsafe' }) as Record<string, unknown>;
}

describe('SBI over TLS against the samples’ “Add client TLS verification” blocks', () => {
  const rendered = renderOpen5gsConfigs(specWith({ sbiTls: true }));

  it.each(SBI_NFS)('%s: default.tls as in the sample; the SBI server named by its FQDN', (nf) => {
    const sample = sampleTlsBlock(nf);
    const doc = parse(rendered.get(`${nf}.yaml`) ?? '', { schema: 'failsafe' }) as Record<
      string,
      Record<string, unknown>
    >;
    const section = doc[nf]!;
    expect(section['default']).toEqual(sample['default']);
    const server = (section['sbi'] as { server: { address: string }[] }).server;
    const sampleServer = (sample['sbi'] as { server: { address: string }[] }).server;
    expect(server.map((s) => s.address)).toEqual(sampleServer.map((s) => s.address));
  });

  it('clients dial https://<fqdn>:<port> and resolve it to the spec’s address (no DNS needed)', () => {
    const amf = parse(rendered.get('amf.yaml') ?? '') as {
      amf: { sbi: { client: { scp: unknown[] } } };
    };
    expect(amf.amf.sbi.client.scp).toEqual([{ uri: 'https://scp.localdomain:7777', resolve: '127.0.0.200' }]);
    const scp = parse(rendered.get('scp.yaml') ?? '') as { scp: { sbi: { client: { nrf: unknown[] } } } };
    expect(scp.scp.sbi.client.nrf).toEqual([{ uri: 'https://nrf.localdomain:7777', resolve: '127.0.0.10' }]);
  });

  it('plain SBI renders no default.tls and http URIs', () => {
    const plain = renderOpen5gsConfigs(specWith({}));
    for (const nf of SBI_NFS) expect(plain.get(`${nf}.yaml`)).not.toMatch(/https|default:|tls/);
  });
});
