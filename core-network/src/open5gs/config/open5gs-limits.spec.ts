import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encodeGprsTimer,
  encodeGprsTimer3,
  nearestTimerValues,
  open5gsLimitIssues,
  servedTaiList,
  taiListOctets,
  timerProblem,
  validTimerValues,
} from './open5gs-limits.js';
import { OPEN5GS_CONFIG_FILES } from './render.js';

/*
 * Goldens come from the standards, never from our own output: the unit tables of TS 24.008 Table 10.5.172
 * (GPRS Timer) and Table 10.5.163a (GPRS Timer 3), the partial TAI list layouts of TS 24.501 §9.11.3.9 and
 * TS 24.301 §9.9.3.33, and Open5GS 2.7.7's own sample configs.
 */

/** TS 24.008 Table 10.5.172, bits 8-6 of the GPRS Timer octet → seconds per step. */
const GPRS_TIMER_UNIT: Record<number, number> = { 0b000: 2, 0b001: 60, 0b010: 360 };
/** TS 24.008 Table 10.5.163a, bits 8-6 of the GPRS Timer 3 octet → seconds per step. */
const GPRS_TIMER_3_UNIT: Record<number, number> = {
  0b000: 600,
  0b001: 3600,
  0b010: 36_000,
  0b011: 2,
  0b100: 30,
  0b101: 60,
  0b110: 320 * 3600,
};
const decode = (table: Record<number, number>, octet: number) => {
  const step = table[octet >> 5];
  if (step === undefined) throw new Error(`unit ${octet >> 5} is not a timer unit (111 = deactivated)`);
  return step * (octet & 0x1f);
};

describe('GPRS Timer (T3412) as Open5GS encodes it', () => {
  it('encodes to the octets TS 24.008 Table 10.5.172 defines', () => {
    // TS 24.301 Table 10.2.1: T3412 defaults to 54 min = 9 decihours → 010 01001.
    expect(encodeGprsTimer(54 * 60)?.octet).toBe(0b010_01001);
    expect(encodeGprsTimer(62)?.octet).toBe(0b000_11111);
    expect(encodeGprsTimer(31 * 60)?.octet).toBe(0b001_11111);
    expect(encodeGprsTimer(31 * 360)?.octet).toBe(0b010_11111);
    // Open5GS's default (src/mme/mme-context.c mme_context_prepare): 540 s = 9 min → 001 01001.
    expect(encodeGprsTimer(540)?.octet).toBe(0b001_01001);
  });

  it('every accepted value decodes back to itself; nothing past 31 decihours', () => {
    const valid = validTimerValues('GPRS Timer');
    for (const s of valid) expect(decode(GPRS_TIMER_UNIT, encodeGprsTimer(s)!.octet)).toBe(s);
    expect(valid.at(-1)).toBe(31 * 360);
    expect(encodeGprsTimer(31 * 360 + 360)).toBeNull();
  });

  it('refuses what no unit can carry: odd seconds, 64 s, 33 min', () => {
    expect(encodeGprsTimer(63)).toBeNull();
    expect(encodeGprsTimer(64)).toBeNull();
    expect(encodeGprsTimer(33 * 60)).toBeNull(); // over 31 min, not whole decihours
    expect(nearestTimerValues('GPRS Timer', 64)).toEqual([62, 120]);
  });
});

describe('GPRS Timer 3 (T3512) as Open5GS encodes it', () => {
  it('encodes to the octets TS 24.008 Table 10.5.163a defines', () => {
    // Open5GS's sample amf.yaml: t3512 540 s = 18 × 30 s → 100 10010.
    expect(encodeGprsTimer3(540)?.octet).toBe(0b100_10010);
    expect(encodeGprsTimer3(62)?.octet).toBe(0b011_11111);
    expect(encodeGprsTimer3(3600)?.octet).toBe(0b000_00110); // 6 × 10 min (1 × 1 h is the same time)
    expect(encodeGprsTimer3(31 * 320 * 3600)?.octet).toBe(0b110_11111);
    expect(encodeGprsTimer3(20 * 3600)?.octet).toBe(0b001_10100);
  });

  it('every accepted value decodes back to itself', () => {
    const valid = validTimerValues('GPRS Timer 3');
    for (const s of valid) expect(decode(GPRS_TIMER_3_UNIT, encodeGprsTimer3(s)!.octet)).toBe(s);
    expect(valid[0]).toBe(2);
    expect(valid.at(-1)).toBe(31 * 320 * 3600);
  });

  it('TS 24.501 default T3512 of 54 min has no GPRS Timer 3 encoding', () => {
    expect(encodeGprsTimer3(54 * 60)).toBeNull();
    expect(nearestTimerValues('GPRS Timer 3', 54 * 60)).toEqual([50 * 60, 60 * 60]);
  });

  it('names the coding, its units and the nearest values', () => {
    expect(timerProblem('GPRS Timer 3', 't3512Seconds', 540)).toBeNull();
    expect(timerProblem('GPRS Timer 3', 't3512Seconds', 545)).toBe(
      't3512Seconds 545 cannot be encoded as a GPRS Timer 3 (TS 24.008 §10.5.7.4a: a value of 1-31 in units of 2 s, 30 s, 1 min, 10 min, 1 h, 10 h, 320 h), so Open5GS refuses to start; nearest: 540 or 570',
    );
    expect(timerProblem('GPRS Timer', 't3412Seconds', 0)).toMatch(/nearest: 2$/);
    expect(timerProblem('GPRS Timer', 't3412Seconds', 20_000)).toMatch(/nearest: 11160$/);
  });
});

describe('TAI lists (TS 24.501 §9.11.3.9, TS 24.301 §9.9.3.33)', () => {
  const plmn = { mcc: '001', mnc: '01' };

  it('sizes partial lists as the standards lay them out', () => {
    // Type 00: 1 octet type/count + 3 PLMN + n TACs (3 octets in 5GS, 2 in EPS).
    const sixteen = servedTaiList([{ plmn: true, tac: Array.from({ length: 16 }, (_, i) => i) }]);
    expect(taiListOctets(sixteen, 'amf')).toBe(1 + 3 + 16 * 3);
    expect(taiListOctets(sixteen, 'mme')).toBe(1 + 3 + 16 * 2);
    // Type 01 (consecutive TACs): 1 + 3 + one TAC. Type 10 (one TAC per PLMN): 1 + n × (PLMN + TAC).
    const mixed = servedTaiList([
      { plmn: true, tac: ['1-8'] },
      { plmn: true, tac: 20 },
      { plmn: true, tac: 21 },
    ]);
    expect(mixed).toMatchObject({ list0: [], list1: [8], list2: 2 });
    expect(taiListOctets(mixed, 'amf')).toBe(1 + 3 + 3 + (1 + 2 * (3 + 3)));
  });

  it('flags what Open5GS asserts on or drops, and lists over 16 TAIs', () => {
    const amf = (tai: unknown) =>
      new Map([['amf.yaml', JSON.stringify({ amf: { tai, time: { t3512: { value: 540 } } } })]]);
    const tacs = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);
    expect(open5gsLimitIssues(amf([{ plmn_id: plmn, tac: tacs(16) }]))).toEqual([]);
    const messages = (tai: unknown) => open5gsLimitIssues(amf(tai)).map((i) => i.message);
    expect(messages([{ plmn_id: plmn, tac: tacs(17) }])[0]).toMatch(/17 TACs; Open5GS asserts above 16/);
    expect(messages([{ plmn_id: plmn, tac: ['1-17'] }])[0]).toMatch(/wider than 16 TACs; Open5GS drops it/);
    expect(messages(tacs(17).map((t) => ({ plmn_id: plmn, tac: t })))).toEqual([
      expect.stringMatching(/17 single-TAC entries; Open5GS asserts above 16/),
      expect.stringMatching(/17 TAIs in one TAI list/),
    ]);
    // 16 + 16 + 2 TACs: 52 + 52 + 10 = 114 octets, over the 112 the 5GS IE holds.
    const big = [tacs(16), tacs(16, 17), tacs(2, 33)].map((tac) => ({ plmn_id: plmn, tac }));
    expect(messages(big)).toEqual([
      expect.stringMatching(/34 TAIs in one TAI list/),
      expect.stringMatching(/takes 114 octets, more than the 112 .* asserts on the next Registration Accept/),
    ]);
  });

  it('reads each duplicate `tai:` key as its own list, as Open5GS does', () => {
    const yaml = (n: number) =>
      `  tai:\n    - plmn_id: { mcc: '001', mnc: '01' }\n      tac: [${Array.from({ length: 16 }, (_, i) => n * 16 + i).join(', ')}]\n`;
    const text = `amf:\n  time: { t3512: { value: 540 } }\n${yaml(0)}${yaml(1)}`;
    expect(open5gsLimitIssues(new Map([['amf.yaml', text]]))).toEqual([]);
  });
});

describe('smf.info, sessions and home network keys', () => {
  const smf = (smfValue: object) => new Map([['smf.yaml', JSON.stringify({ smf: smfValue })]]);
  it('flags 8 S-NSSAIs in one info entry and 16 DNNs in one S-NSSAI', () => {
    const s_nssai = Array.from({ length: 8 }, (_, i) => ({ sst: i + 1, dnn: ['internet'] }));
    expect(open5gsLimitIssues(smf({ info: [{ s_nssai }] })).map((i) => i.path)).toEqual([
      'smf.info[0].s_nssai',
    ]);
    expect(open5gsLimitIssues(smf({ info: [{ s_nssai: s_nssai.slice(0, 7) }] }))).toEqual([]);
    const dnn = Array.from({ length: 16 }, (_, i) => `d${i}`);
    expect(open5gsLimitIssues(smf({ info: [{ s_nssai: [{ sst: 1, dnn }] }] }))).toEqual([
      {
        file: 'smf.yaml',
        path: 'smf.info[0].s_nssai[0].dnn',
        message: '16 DNNs; the SMF asserts above 15 per S-NSSAI (OGS_MAX_NUM_OF_DNN - 1)',
      },
    ]);
  });

  it('flags 17 session subnets, a third DNS server per family and hnet id 255', () => {
    const session = Array.from({ length: 17 }, (_, i) => ({ subnet: `10.${i}.0.0/16` }));
    expect(
      open5gsLimitIssues(smf({ session, dns: ['1.1.1.1', '8.8.8.8', '9.9.9.9'] })).map((i) => i.path),
    ).toEqual(['smf.session', 'smf.dns']);
    const udm = new Map([['udm.yaml', JSON.stringify({ udm: { hnet: [{ id: 1 }, { id: 255 }] } })]]);
    expect(open5gsLimitIssues(udm).map((i) => i.path)).toEqual(['udm.hnet[1].id']);
  });
});

describe('identifiers and names Open5GS truncates', () => {
  it('flags an AMF set over 10 bits, an MME code over 8 bits and a 128-byte network name', () => {
    const files = new Map([
      [
        'amf.yaml',
        JSON.stringify({
          amf: {
            guami: [{ amf_id: { region: 2, set: 1024 } }],
            network_name: { full: 'x'.repeat(128), short: 'ok' },
            time: { t3512: { value: 540 } },
          },
        }),
      ],
      ['mme.yaml', JSON.stringify({ mme: { gummei: [{ mme_gid: 2, mme_code: [1, 256] }] } })],
    ]);
    expect(open5gsLimitIssues(files).map((i) => i.path)).toEqual([
      'amf.network_name.full',
      'amf.guami[0].amf_id.set',
      'mme.gummei[0].mme_code',
    ]);
  });
});

describe("Open5GS 2.7.7's own sample configs", () => {
  const upstream = (file: string) =>
    readFileSync(new URL(`./__upstream__/open5gs-2.7.7/${file}.in`, import.meta.url), 'utf8')
      .replaceAll('@sysconfdir@', '/etc')
      .replaceAll('@localstatedir@', '/var');

  it('all pass', () => {
    const files = new Map(OPEN5GS_CONFIG_FILES.map((f) => [f, upstream(f)]));
    expect(open5gsLimitIssues(files)).toEqual([]);
  });

  it("amf.yaml's commented TAI examples: Open5GS takes them, the last list has more TAIs than the NAS IE allows", () => {
    const at = upstream('amf.yaml').indexOf('#  o TAI');
    const example = upstream('amf.yaml')
      .slice(at, upstream('amf.yaml').indexOf('#  o PLMN Support'))
      .split('\n')
      .filter((l) => l.startsWith('#  '))
      .map((l) => l.slice(1))
      .slice(1)
      .join('\n');
    const issues = open5gsLimitIssues(
      new Map([['amf.yaml', `amf:\n  time: { t3512: { value: 540 } }\n${example}\n`]]),
    );
    // 22, 28 | 30-32, 34, 36-38, 40-42, 44, 46, 48 | 50 | 60 | 70, 80: 2 + 13 + 1 + 1 + 2 TAIs.
    expect(issues.map((x) => [x.file, x.path])).toEqual([['amf.yaml', 'amf.tai (list 3)']]);
    expect(issues[0]?.message).toMatch(/^19 TAIs in one TAI list/);
  });
});
