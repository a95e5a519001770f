import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  parseNetworkSpec,
  validateNetworkSpec,
  type NetworkSpecInput,
} from '../../network-spec/network-spec.js';
import { open5gsLimitIssues, validTimerValues, type TimerCoding } from './open5gs-limits.js';
import { renderOpen5gsConfigs } from './render.js';

/*
 * Properties tying the validator to the renderer: every spec built from the schema's domains passes the
 * validator, and every file rendered from it obeys the Open5GS limits (open5gs-limits.ts, read from the
 * rendered YAML). A rule the validator forgets, or a rendering that outgrows a limit, fails here.
 */

/** Bounded: each valid-spec run parses, renders and re-reads 16 files (~50 ms on a busy CI core). */
const RUNS = { numRuns: 200 };
const RENDER_RUNS = { numRuns: 100 };

const sliceArb = fc.record(
  {
    sst: fc.integer({ min: 1, max: 255 }),
    sd: fc.integer({ min: 0, max: 0xfffffe }).map((n) => n.toString(16).padStart(6, '0')),
  },
  { requiredKeys: ['sst'] },
);
const sliceKey = (s: { sst: number; sd?: string }) => `${s.sst}/${s.sd ?? '-'}`;

/** A valid spec: random PLMN, TACs, slices, DNNs with disjoint pools, timers from the valid set, NF settings. */
const validSpecArb: fc.Arbitrary<NetworkSpecInput> = fc
  .record({
    full: fc.stringMatching(/^[\x20-\x7e]{1,64}$/).filter((s) => s.trim().length > 0),
    mcc: fc.stringMatching(/^\d{3}$/),
    mnc: fc.stringMatching(/^\d{2,3}$/),
    lteTac: fc.integer({ min: 0, max: 65_535 }),
    tacs: fc.uniqueArray(fc.integer({ min: 0, max: 16_777_215 }), { maxLength: 80 }),
    slices: fc.uniqueArray(sliceArb, { minLength: 1, maxLength: 8, selector: sliceKey }),
    dnnCount: fc.integer({ min: 1, max: 16 }),
    names: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/), {
      minLength: 16,
      maxLength: 16,
    }),
    octets: fc.shuffledSubarray(
      Array.from({ length: 200 }, (_, i) => i + 1),
      { minLength: 16, maxLength: 16 },
    ),
    prefixes: fc.array(fc.integer({ min: 16, max: 22 }), { minLength: 16, maxLength: 16 }),
    ipv6: fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
    // Often every DNN in the first slice, so a slice with 16 DNNs comes up (smf.info holds 15 per S-NSSAI).
    shared: fc.boolean(),
    sliceSeeds: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), {
      minLength: 16,
      maxLength: 16,
    }),
    dns: fc.subarray(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '2606:4700:4700::1111'], {
      minLength: 1,
    }),
    mtu: fc.integer({ min: 1280, max: 9000 }),
    t3512: fc.constantFrom(...validTimerValues('GPRS Timer 3')),
    t3412: fc.constantFrom(...validTimerValues('GPRS Timer')),
    regionId: fc.integer({ min: 0, max: 255 }),
    setId: fc.integer({ min: 0, max: 1023 }),
    groupId: fc.integer({ min: 0, max: 65_535 }),
    code: fc.integer({ min: 0, max: 255 }),
    ngapHost: fc.integer({ min: 1, max: 254 }),
    hnet: fc.uniqueArray(
      fc.record({ id: fc.integer({ min: 1, max: 254 }), scheme: fc.constantFrom(1 as const, 2 as const) }),
      { maxLength: 4, selector: (k) => k.id },
    ),
    expectedUeCount: fc.integer({ min: 1, max: 1000 }),
  })
  .map((r): NetworkSpecInput => {
    const tacs = [r.lteTac, ...r.tacs.filter((t) => t !== r.lteTac)];
    // IPv4 and IPv6 pools together stay within Open5GS's 16 subnets.
    let v6Left = 16 - r.dnnCount;
    const dnns = Array.from({ length: r.dnnCount }, (_, i) => {
      const slices = [
        ...new Map(
          [...(r.shared ? [0] : []), ...r.sliceSeeds[i]!]
            .map((n) => r.slices[n % r.slices.length]!)
            .map((s) => [sliceKey(s), s]),
        ).values(),
      ];
      const v6 = r.ipv6[i]! && v6Left-- > 0;
      return {
        name: r.names[i]!,
        ipv4: { subnet: `10.${r.octets[i]}.0.0/${r.prefixes[i]}` },
        ...(v6 ? { ipv6: { subnet: `fd00:${r.octets[i]!.toString(16)}::/48` } } : {}),
        dns: r.dns,
        mtu: r.mtu,
        slices,
      };
    });
    return {
      networkName: { full: r.full },
      plmn: { mcc: r.mcc, mnc: r.mnc },
      tacs,
      slices: r.slices,
      dnns,
      nf: {
        amf: {
          regionId: r.regionId,
          setId: r.setId,
          t3512Seconds: r.t3512,
          ngap: { address: `192.0.2.${r.ngapHost}` },
        },
        mme: { groupId: r.groupId, code: r.code, t3412Seconds: r.t3412 },
        udm: { hnet: r.hnet.map((k) => ({ ...k, keyFile: `/etc/open5gs/hnet/${k.id}.key` })) },
      },
      expectedUeCount: r.expectedUeCount,
    };
  });

describe('random valid specs', () => {
  it('pass the validator, and every rendered Open5GS file obeys the Open5GS limits', () => {
    fc.assert(
      fc.property(validSpecArb, (input) => {
        const r = parseNetworkSpec(stringify(input));
        if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.errors)}`);
        expect(open5gsLimitIssues(renderOpen5gsConfigs(r.spec))).toEqual([]);
      }),
      RENDER_RUNS,
    );
  }, 60_000);
});

describe('random invalid timer values', () => {
  const cases: [TimerCoding, 'amf' | 'mme', 't3512Seconds' | 't3412Seconds'][] = [
    ['GPRS Timer 3', 'amf', 't3512Seconds'],
    ['GPRS Timer', 'mme', 't3412Seconds'],
  ];
  for (const [coding, nf, key] of cases) {
    it(`${key}: refused with the nearest valid values around it (${coding})`, () => {
      const valid = validTimerValues(coding);
      const validSet = new Set(valid);
      const invalid = fc
        .oneof(fc.integer({ min: -10, max: 20_000 }), fc.integer({ min: 0, max: 2 * valid.at(-1)! }))
        .filter((v) => !validSet.has(v));
      fc.assert(
        fc.property(invalid, (seconds) => {
          const spec = { ...(BASE as object), nf: { [nf]: { [key]: seconds } } };
          const r = validateNetworkSpec(spec);
          if (r.ok) throw new Error(`${key} ${seconds} was accepted`);
          expect(r.errors.map((e) => e.path)).toEqual([`nf.${nf}.${key}`]);
          const nearest = /nearest: (\d+)(?: or (\d+))?$/.exec(r.errors[0]!.message);
          expect(nearest).not.toBeNull();
          const values = nearest!.slice(1).filter(Boolean).map(Number);
          for (const v of values) expect(validSet.has(v)).toBe(true);
          // Nearest below and above: no valid value lies strictly between them and the refused one.
          const below = values.filter((v) => v < seconds);
          const above = values.filter((v) => v > seconds);
          expect(valid.filter((v) => v < seconds).at(-1)).toBe(below[0]);
          expect(valid.find((v) => v > seconds)).toBe(above[0]);
        }),
        RUNS,
      );
    });
  }
});

const BASE: NetworkSpecInput = {
  networkName: { full: 'Pakawaaz' },
  plmn: { mcc: '001', mnc: '01' },
  tacs: [1],
  slices: [{ sst: 1 }],
  dnns: [{ name: 'internet', ipv4: { subnet: '10.45.0.0/16' }, dns: ['8.8.8.8'], slices: [{ sst: 1 }] }],
};
