import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateNetworkSpec, type NetworkSpecInput } from '../../network-spec/network-spec.js';
import { OPEN5GS_CONFIG_FILES, renderOpen5gsConfigs } from './render.js';

/*
 * The goldens are Open5GS 2.7.7's own sample configs (configs/open5gs/*.yaml.in, copied verbatim into
 * __upstream__/open5gs-2.7.7/; see its README). A spec stating exactly the samples' settings must render YAML
 * that Open5GS reads the same way: both sides are parsed and their trees compared. Every difference that remains
 * is listed below with its reason; the test fails on any other difference and on a listed one that went away.
 */

const UPSTREAM = new URL('./__upstream__/open5gs-2.7.7/', import.meta.url);

/**
 * A sample as installed by Open5GS's Debian/Ubuntu packages: meson's configure_file with sysconfdir /etc and
 * localstatedir /var (configs/meson.build `conf_data`), the directories the renderer defaults to.
 */
function upstreamText(file: string): string {
  return readFileSync(new URL(`${file}.in`, UPSTREAM), 'utf8')
    .replaceAll('@sysconfdir@', '/etc')
    .replaceAll('@localstatedir@', '/var');
}

/**
 * Parsed as Open5GS reads YAML: libyaml without a schema, every scalar a string (ogs_yaml_iter_value), so
 * `mnc: 70` and `mnc: '70'`, `port: 7777` and `port: '7777'` are the same, and an empty value (`client:` with
 * only comments under it) is "". The YAML failsafe schema is exactly that.
 */
const readAsOpen5gs = (text: string): unknown => parse(text, { schema: 'failsafe' });

/** The samples' settings as a network spec. */
const SAMPLE_SPEC: NetworkSpecInput = {
  networkName: { full: 'Open5GS', short: 'Next' },
  plmn: { mcc: '999', mnc: '70' },
  tacs: [1],
  slices: [{ sst: 1 }],
  dnns: [
    {
      // The samples' sessions carry no DNN (any DNN gets them); a spec names its DNN.
      name: 'internet',
      ipv4: { subnet: '10.45.0.0/16', gateway: '10.45.0.1' },
      ipv6: { subnet: '2001:db8:cafe::/48', gateway: '2001:db8:cafe::1' },
      dns: ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'],
      mtu: 1400,
      slices: [{ sst: 1 }],
    },
  ],
  // The samples' own orders, null algorithms first for ciphering (Pakawaaz warns; its defaults differ).
  security: {
    nr: { integrity: ['NIA2', 'NIA1', 'NIA0'], ciphering: ['NEA0', 'NEA1', 'NEA2'] },
    lte: { integrity: ['EIA2', 'EIA1', 'EIA0'], ciphering: ['EEA0', 'EEA1', 'EEA2'] },
  },
  nf: {
    // mme.yaml leaves `time:` empty, so the MME runs on its built-in T3412 of 540 s
    // (src/mme/mme-context.c mme_context_prepare), not the 3240 s its comment mentions.
    mme: { t3412Seconds: 540 },
    udm: {
      hnet: [1, 2, 3, 4, 5, 6].map((id) => {
        const scheme = id % 2 === 1 ? 1 : 2;
        const curve = scheme === 1 ? 'curve25519' : 'secp256r1';
        return { id, scheme, keyFile: `/etc/open5gs/hnet/${curve}-${id}.key` } as const;
      }),
    },
  },
  // global.max.ue is sized from the expected UE count (expected × 1.2, rounded up to 1024): 853 UEs give the
  // samples' 1024. The default 10,000 gives 12,288 in every file (Open5GS's 1024 is far too few for the fleet).
  expectedUeCount: 853,
};

const ABSENT = '(absent)';
type Difference = { path: string; upstream: unknown; rendered: unknown };

/** Every path where two parsed YAML trees differ (mappings by key, sequences by position). */
function differences(upstream: unknown, rendered: unknown, path = ''): Difference[] {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(upstream) && Array.isArray(rendered)) {
    const length = Math.max(upstream.length, rendered.length);
    return Array.from({ length }, (_, i) =>
      differences(
        i < upstream.length ? upstream[i] : ABSENT,
        i < rendered.length ? rendered[i] : ABSENT,
        `${path}.${i}`,
      ),
    ).flat();
  }
  if (isMap(upstream) && isMap(rendered)) {
    const keys = [...new Set([...Object.keys(upstream), ...Object.keys(rendered)])].sort();
    return keys.flatMap((k) => differences(upstream[k] ?? ABSENT, rendered[k] ?? ABSENT, `${path}.${k}`));
  }
  return JSON.stringify(upstream) === JSON.stringify(rendered) ? [] : [{ path, upstream, rendered }];
}

type Intentional = Difference & { why: string };

const BOUND_TO_DNN =
  'every UE pool is bound to its DNN (the sample shows `dnn:` in its comments), so several DNNs never share a pool';
const EMPTY_CLIENT =
  'an empty `client:` (its entries are commented out in the sample) reads the same as none';

/** Where Pakawaaz's rendering of the samples' settings differs from the samples (in file order), and why. */
const INTENTIONAL: Intentional[] = [
  {
    path: 'smf.yaml.smf.info',
    upstream: ABSENT,
    rendered: [{ s_nssai: [{ sst: '1', dnn: ['internet'] }] }],
    why: "SmfInfo (shown in the sample's comments): the NRF tells AMFs which slices and DNNs this SMF serves",
  },
  { path: 'smf.yaml.smf.session.0.dnn', upstream: ABSENT, rendered: 'internet', why: BOUND_TO_DNN },
  { path: 'smf.yaml.smf.session.1.dnn', upstream: ABSENT, rendered: 'internet', why: BOUND_TO_DNN },
  { path: 'upf.yaml.upf.pfcp.client', upstream: '', rendered: ABSENT, why: EMPTY_CLIENT },
  { path: 'upf.yaml.upf.session.0.dnn', upstream: ABSENT, rendered: 'internet', why: BOUND_TO_DNN },
  { path: 'upf.yaml.upf.session.1.dnn', upstream: ABSENT, rendered: 'internet', why: BOUND_TO_DNN },
  {
    path: 'mme.yaml.mme.time',
    upstream: '',
    rendered: { t3412: { value: '540' } },
    why: 'the timer is always written so the spec decides it; here the 540 s the sample runs on by default',
  },
  { path: 'sgwu.yaml.sgwu.pfcp.client', upstream: '', rendered: ABSENT, why: EMPTY_CLIENT },
];

describe('rendering Open5GS 2.7.7’s sample settings gives Open5GS 2.7.7’s sample configs', () => {
  const validated = validateNetworkSpec(SAMPLE_SPEC);
  if (!validated.ok) throw new Error(`sample spec invalid: ${JSON.stringify(validated.errors)}`);
  const rendered = renderOpen5gsConfigs(validated.spec);

  it('the upstream fixtures are the unmodified Open5GS 2.7.7 files', () => {
    const sums = readFileSync(new URL('SHA256SUMS', UPSTREAM), 'utf8').trim().split('\n');
    for (const line of sums) {
      const [sum, file] = line.split(/\s+/);
      const actual = createHash('sha256')
        .update(readFileSync(new URL(file!, UPSTREAM)))
        .digest('hex');
      expect(actual, file).toBe(sum);
    }
    expect(sums.map((l) => l.split(/\s+/)[1]).sort()).toEqual(
      OPEN5GS_CONFIG_FILES.map((f) => `${f}.in`).sort(),
    );
  });

  it('each file equals its upstream sample, key for key, but for the listed differences', () => {
    const found = OPEN5GS_CONFIG_FILES.flatMap((file) =>
      differences(readAsOpen5gs(upstreamText(file)), readAsOpen5gs(rendered.get(file) ?? ''), file),
    );

    expect(found).toEqual(INTENTIONAL.map(({ why: _why, ...d }) => d));
  });

  it('the comparison sees a difference in any value, key or list entry', () => {
    const amf = readAsOpen5gs(upstreamText('amf.yaml')) as { amf: Record<string, unknown> };
    const edited = structuredClone(amf);
    (edited.amf['security'] as { ciphering_order: string[] }).ciphering_order.reverse();
    edited.amf['amf_name'] = undefined;
    (edited.amf['tai'] as unknown[]).push({ tac: '2' });

    expect(differences(amf, edited).map((d) => d.path)).toEqual([
      '.amf.amf_name',
      '.amf.security.ciphering_order.0',
      '.amf.security.ciphering_order.2',
      '.amf.tai.1',
    ]);
  });
});
