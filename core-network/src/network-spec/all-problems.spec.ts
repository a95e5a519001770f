import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEMO_NETWORK_YAML } from './demo-network.js';
import { weakSecurity } from './network-spec.checks.js';
import {
  formatIssue,
  parseNetworkSpec,
  validateNetworkSpec,
  type NetworkSpecResult,
} from './network-spec.js';

function rejected(r: NetworkSpecResult) {
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r;
}

/** The demo spec with one line replaced; fails loudly when the line is not there. */
function edit(yaml: string, from: string, to: string): string {
  if (!yaml.includes(from)) throw new Error(`the demo spec has no "${from}"`);
  return yaml.replace(from, to);
}

describe('every problem at once', () => {
  // Format errors (schema) in plmn and in a DNN, and logic errors (cross-field checks) in tacs and security.
  const broken = [
    ["mnc: '01'", 'mnc: 1'],
    ['tacs: [1]', 'tacs: [1, 2, 1]'],
    ['    mtu: 1400\n    slices:\n      - sst: 1\n', '    mtu: 99999\n    slices:\n      - sst: 1\n'],
    ['    integrity: [EIA2, EIA1]', '    integrity: [EIA2, EIA2]'],
    ['expectedUeCount: 10000', 'expectedUeCount: 10000\ncolour: blue'],
  ].reduce((yaml, [from, to]) => edit(yaml, from as string, to as string), DEMO_NETWORK_YAML);

  it('lists format and logic errors together, each with its line and column', () => {
    const r = rejected(parseNetworkSpec(broken));
    const lineOf = (text: string) => broken.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(r.errors.map((e) => [e.path, e.line])).toEqual([
      ['plmn.mnc', lineOf('mnc: 1')],
      ['dnns[0].mtu', lineOf('mtu: 99999')],
      ['colour', lineOf('colour: blue')],
      ['tacs[2]', lineOf('tacs: [1, 2, 1]')],
      ['security.lte.integrity[1]', lineOf('integrity: [EIA2, EIA2]')],
    ]);
    // The column is the value's: `tacs: [1, 2, 1]` has the second 1 at column 14.
    expect(r.errors[3]?.column).toBe(14);
    expect(r.errors[0]?.message).toBe(
      'MNC must be 2 or 3 digits, got "1"; if you meant 01, write the leading zero and quote it: mnc: \'01\'',
    );
    expect(formatIssue(r.errors[2]!)).toBe(`line ${lineOf('colour')}, column 1: colour: unknown key`);
  });

  it('hints to quote an MCC, MNC or SD sent as a number (JSON)', () => {
    const spec = parse(DEMO_NETWORK_YAML) as { plmn: Record<string, unknown> };
    spec.plmn = { mcc: 1, mnc: 1 };
    const r = rejected(validateNetworkSpec(spec));
    expect(r.errors.map((e) => e.path)).toEqual(['plmn.mcc', 'plmn.mnc']);
    expect(r.errors[1]?.message).toMatch(/quoted string, e\.g\. mnc: '01'.*leading zeros are lost/);
  });

  it('reports YAML syntax errors with their line and column', () => {
    const r = rejected(parseNetworkSpec('plmn:\n  mcc: "001\n  mnc: 01\n'));
    expect(r.errors[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
  });
});

describe('weak security (null algorithm preferred)', () => {
  const security = (nr: [string[], string[]], lte: [string[], string[]]) =>
    ({
      nr: { integrity: nr[0], ciphering: nr[1] },
      lte: { integrity: lte[0], ciphering: lte[1] },
    }) as Parameters<typeof weakSecurity>[0];

  it('flags NEA0, NIA0, EEA0 and EIA0 (TS 33.501 §5.11.1, TS 33.401 §5.1.3-5.1.4) when first', () => {
    expect(weakSecurity(security([['NIA2'], ['NEA2', 'NEA0']], [['EIA2'], ['EEA2', 'EEA0']]))).toEqual([]);
    const weak = weakSecurity(security([['NIA0', 'NIA2'], ['NEA0']], [['EIA0'], ['EEA0', 'EEA2']]));
    expect(weak.map((w) => w.path)).toEqual([
      'security.nr.integrity[0]',
      'security.nr.ciphering[0]',
      'security.lte.integrity[0]',
      'security.lte.ciphering[0]',
    ]);
    expect(weak[1]?.message).toMatch(/^NEA0 \(null ciphering\) is preferred and is the only one listed/);
    expect(weak[0]?.message).toMatch(/^NIA0 \(null integrity\) is preferred: /);
  });

  it('flags a null algorithm behind only optional ones (NEA3/ZUC is optional for UEs), not behind NEA1/NEA2', () => {
    // A UE without ZUC (128-NEA3 is optional, TS 33.501 §5.11.1.1) falls through to NEA0.
    const weak = weakSecurity(
      security(
        [
          ['NIA3', 'NIA2'],
          ['NEA3', 'NEA0', 'NEA2'],
        ],
        [['EIA2'], ['EEA3', 'EEA0']],
      ),
    );
    expect(weak.map((w) => w.path)).toEqual(['security.nr.ciphering[1]', 'security.lte.ciphering[1]']);
    expect(weak[0]?.message).toMatch(
      /^NEA0 \(null ciphering\) comes before any algorithm every UE implements \(NEA1, NEA2\): a UE without NEA3 runs without ciphering protection/,
    );
    expect(
      weakSecurity(
        security(
          [
            ['NIA3', 'NIA1', 'NIA0'],
            ['NEA3', 'NEA1', 'NEA0'],
          ],
          [['EIA2'], ['EEA2']],
        ),
      ),
    ).toEqual([]);
  });

  it('the demo spec is not weak; algorithm names outside TS 33.401/33.501 are refused', () => {
    const demo = parseNetworkSpec(DEMO_NETWORK_YAML);
    if (!demo.ok) throw new Error('demo spec invalid');
    expect(weakSecurity(demo.spec.security)).toEqual([]);
    const r = rejected(
      parseNetworkSpec(
        edit(DEMO_NETWORK_YAML, 'ciphering: [NEA2, NEA1, NEA0]', 'ciphering: [128-NEA2, NEA4]'),
      ),
    );
    expect(r.errors.map((e) => e.path)).toEqual(['security.nr.ciphering[0]', 'security.nr.ciphering[1]']);
  });
});

describe('values Open5GS cannot encode or hold', () => {
  const withNf = (nf: object) => {
    const spec = parse(DEMO_NETWORK_YAML) as Record<string, unknown>;
    return validateNetworkSpec({ ...spec, nf });
  };

  it('refuses a T3512 or T3412 their NAS timer codings cannot carry, naming the nearest values', () => {
    const r = rejected(withNf({ amf: { t3512Seconds: 545 }, mme: { t3412Seconds: 5000 } }));
    expect(r.errors).toEqual([
      {
        path: 'nf.amf.t3512Seconds',
        message:
          't3512Seconds 545 cannot be encoded as a GPRS Timer 3 (TS 24.008 §10.5.7.4a: a value of 1-31 in units of 2 s, 30 s, 1 min, 10 min, 1 h, 10 h, 320 h), so Open5GS refuses to start; nearest: 540 or 570',
      },
      {
        path: 'nf.mme.t3412Seconds',
        message:
          't3412Seconds 5000 cannot be encoded as a GPRS Timer (TS 24.008 §10.5.7.3: a value of 1-31 in units of 2 s, 1 min, 6 min (decihour)), so Open5GS refuses to start; nearest: 4680 or 5040',
      },
    ]);
    // 54 min (TS 24.301's default T3412) is 9 decihours; 12 h is 72 × 10 min, carried as 12 × 1 h.
    expect(withNf({ mme: { t3412Seconds: 3240 }, amf: { t3512Seconds: 12 * 3600 } }).ok).toBe(true);
  });

  it('refuses home network key id 255, which Open5GS does not load', () => {
    const r = rejected(
      withNf({ udm: { hnet: [{ id: 255, scheme: 1, keyFile: '/etc/open5gs/hnet/1.key' }] } }),
    );
    expect(r.errors).toEqual([
      { path: 'nf.udm.hnet[0].id', message: 'Open5GS loads home network key ids 1-254 only' },
    ]);
  });

  it('warns that more than 16 TACs become several registration areas', () => {
    const r = parseNetworkSpec(
      edit(
        DEMO_NETWORK_YAML,
        'tacs: [1]',
        `tacs: [${Array.from({ length: 17 }, (_, i) => i + 1).join(', ')}]`,
      ),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.warnings.map((w) => [w.path, w.message.slice(0, 60)])).toEqual([
      ['tacs', '17 TACs are served as 2 registration areas of up to 16 TACs '],
    ]);
  });
});
