import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BITRATE_UNITS, DEFAULT_PROFILE, SubscriberProfile } from '../../subscribers/profile.js';
import {
  buildSubscriberDocument,
  buildSubscriberDocuments,
  Open5gsDocumentError,
  staticIpv4Dnn,
  staticIpv6Dnn,
  type Open5gsSubscriberDocument,
  type SubscriberDocumentInput,
} from './subscriber-document.js';

const hex = (h: string) => Buffer.from(h, 'hex');
const secret = {
  k: hex('465B5CE8B199B49FAA5F0A2EE238A6BC'),
  opc: hex('E8ED289DEBA952E4283B54E88E6183CA'),
  amf: hex('8000'),
};
const gbps = { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 1, unit: 'Gbps' } } as const;

const goldenProfile = SubscriberProfile.parse({
  ambr: { downlink: { value: 1, unit: 'Gbps' }, uplink: { value: 500, unit: 'Mbps' } },
  slices: [
    {
      sst: 1,
      default: true,
      sessions: [
        { dnn: 'internet', type: 'IPv4v6', ambr: gbps },
        {
          dnn: 'ims',
          type: 'IPv4',
          qos: { index: 5, arp: { priorityLevel: 1, preEmptionCapability: 'enabled' } },
          ambr: { downlink: { value: 256, unit: 'Kbps' }, uplink: { value: 256, unit: 'Kbps' } },
        },
      ],
    },
    {
      sst: 2,
      sd: '000002',
      sessions: [
        {
          dnn: 'gov.secure',
          type: 'IPv6',
          qos: { index: 7, arp: { priorityLevel: 2, preEmptionVulnerability: 'enabled' } },
          ambr: { downlink: { value: 50, unit: 'Mbps' }, uplink: { value: 10, unit: 'Mbps' } },
        },
      ],
    },
  ],
});

const goldenInput: SubscriberDocumentInput = {
  imsi: '001010000000001',
  msisdn: '8801700000001',
  secret,
  profile: goldenProfile,
  status: 'active',
  staticIpv4: '10.45.0.10',
};

function input(overrides: Partial<SubscriberDocumentInput> = {}): SubscriberDocumentInput {
  return {
    imsi: '001010000000002',
    msisdn: null,
    secret,
    profile: DEFAULT_PROFILE,
    status: 'active',
    ...overrides,
  };
}

/** One session with the given fields, in a single default slice. */
function profileWithSession(session: Record<string, unknown>): SubscriberProfile {
  return SubscriberProfile.parse({
    ambr: gbps,
    slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', ambr: gbps, ...session }] }],
  });
}

const firstSession = (doc: Open5gsSubscriberDocument) => doc.slice[0]!.session[0]!;
const readGolden = (): unknown =>
  JSON.parse(
    readFileSync(new URL('./__golden__/subscriber.json', import.meta.url), 'utf8'),
    (_k, v: unknown) =>
      typeof v === 'object' && v !== null && '$numberLong' in v ? BigInt(String(v.$numberLong)) : v,
  );
// Serialises in insertion order, so equal strings mean equal key order too.
const ordered = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));

describe('buildSubscriberDocument: golden document', () => {
  it('produces exactly the hand-checked Open5GS document, key order included', () => {
    const doc = buildSubscriberDocument(goldenInput);
    const golden = readGolden();

    expect(doc).toStrictEqual(golden);
    expect(ordered(doc)).toBe(ordered(golden));
  });

  it('renders the same golden document from a profile that lists the default slice and DNN last', () => {
    // Open5GS reads meaning into order (default APN = slice[0].session[0]); the profile's order carries none.
    const [defaultSlice, other] = goldenProfile.slices;
    const [internet, ims] = defaultSlice!.sessions;
    const reordered = SubscriberProfile.parse({
      ...goldenProfile,
      slices: [other, { ...defaultSlice, sessions: [ims, { ...internet, default: true }] }],
    });
    const doc = buildSubscriberDocument({ ...goldenInput, profile: reordered });

    expect(ordered(doc)).toBe(ordered(readGolden()));
  });

  it('is what Open5GS 2.7 reads as default APN (4G) and default DNN / S-NSSAI (5G)', () => {
    // Models of the readers, not of our builder: src/hss/hss-s6a-path.c takes slice[0] and gives session[i]
    // Context-Identifier i+1 with the profile's default Context-Identifier 1; src/udr/nudr-handler.c marks
    // session[0] of each slice the default DNN and the slices with default_indicator the default S-NSSAIs.
    const golden = readGolden() as Open5gsSubscriberDocument;
    const hss = (d: Open5gsSubscriberDocument) => {
      const apns = d.slice[0]!.session.map((x, i) => ({ apn: x.name, contextId: i + 1 }));
      return { defaultApn: apns.find((a) => a.contextId === 1)?.apn, apns: apns.map((a) => a.apn) };
    };
    const udr = (d: Open5gsSubscriberDocument) => ({
      defaultSnssai: d.slice.filter((x) => x.default_indicator).map((x) => x.sst),
      defaultDnn: d.slice.map((x) => x.session[0]!.name),
    });
    const doc = buildSubscriberDocument(goldenInput);

    expect(hss(golden)).toEqual({ defaultApn: 'internet', apns: ['internet', 'ims'] });
    expect(hss(doc)).toEqual(hss(golden));
    expect(udr(doc)).toEqual(udr(golden));
  });

  it('is deterministic', () => {
    expect(ordered(buildSubscriberDocument(goldenInput))).toBe(ordered(buildSubscriberDocument(goldenInput)));
  });
});

describe('buildSubscriberDocument: mappings', () => {
  it.each(BITRATE_UNITS.map((unit, code) => [unit, code] as const))('bitrate unit %s → %i', (unit, code) => {
    const ambr = { downlink: { value: 7, unit }, uplink: { value: 3, unit } };
    const doc = buildSubscriberDocument(
      input({ profile: SubscriberProfile.parse({ ...DEFAULT_PROFILE, ambr }) }),
    );

    expect(doc.ambr).toEqual({ downlink: { value: 7, unit: code }, uplink: { value: 3, unit: code } });
  });

  it.each([
    ['IPv4', 1],
    ['IPv6', 2],
    ['IPv4v6', 3],
  ] as const)('session type %s → %i', (type, code) => {
    expect(firstSession(buildSubscriberDocument(input({ profile: profileWithSession({ type }) }))).type).toBe(
      code,
    );
  });

  it.each([
    ['disabled', 'disabled', 1, 1],
    ['enabled', 'disabled', 2, 1],
    ['disabled', 'enabled', 1, 2],
    ['enabled', 'enabled', 2, 2],
  ] as const)('ARP capability %s / vulnerability %s → %i / %i (5GC encoding, never 0)', (cap, vuln, c, v) => {
    const qos = {
      index: 69,
      arp: { priorityLevel: 3, preEmptionCapability: cap, preEmptionVulnerability: vuln },
    };
    const doc = buildSubscriberDocument(input({ profile: profileWithSession({ qos }) }));

    expect(firstSession(doc).qos).toEqual({
      index: 69,
      arp: { priority_level: 3, pre_emption_capability: c, pre_emption_vulnerability: v },
    });
  });

  it('uses the profile defaults 5QI 9, ARP 8, pre-emption disabled', () => {
    expect(firstSession(buildSubscriberDocument(input())).qos).toEqual({
      index: 9,
      arp: { priority_level: 8, pre_emption_capability: 1, pre_emption_vulnerability: 1 },
    });
  });

  it('bars with Subscriber-Status OPERATOR_DETERMINED_BARRING and ODB "all packet oriented services barred"', () => {
    const barred = buildSubscriberDocument(input({ status: 'barred' }));
    const active = buildSubscriberDocument(input({ status: 'active' }));

    expect([barred.subscriber_status, barred.operator_determined_barring]).toEqual([1, 1]);
    expect([active.subscriber_status, active.operator_determined_barring]).toEqual([0, 0]);
    // Barring changes nothing else, so the change reaches the HSS as a status-only update.
    expect({ ...barred, subscriber_status: 0, operator_determined_barring: 0 }).toEqual(active);
  });

  it('keeps MSISDN as an array: empty without one, one element with one', () => {
    expect(buildSubscriberDocument(input({ msisdn: null })).msisdn).toEqual([]);
    expect(buildSubscriberDocument(input({ msisdn: '97150000001' })).msisdn).toEqual(['97150000001']);
  });

  it('writes K/OPc/AMF as upper-case hex, OP as null, SQN as a 64-bit integer defaulting to 0', () => {
    const lower = {
      k: hex('00112233445566778899aabbccddeeff'),
      opc: hex('ffeeddccbbaa99887766554433221100'),
      amf: hex('b9b9'),
    };
    const doc = buildSubscriberDocument(input({ secret: lower }));

    expect(doc.security).toStrictEqual({
      k: '00112233445566778899AABBCCDDEEFF',
      op: null,
      opc: 'FFEEDDCCBBAA99887766554433221100',
      amf: 'B9B9',
      sqn: 0n,
    });
    expect(buildSubscriberDocument(input({ sqn: 0x1234 })).security.sqn).toBe(0x1234n);
    expect(buildSubscriberDocument(input({ sqn: 2n ** 48n - 1n })).security.sqn).toBe(2n ** 48n - 1n);
  });

  it('writes the webui defaults for the fields Pakawaaz does not model', () => {
    const doc = buildSubscriberDocument(input());

    expect(doc).toMatchObject({
      schema_version: 1,
      imeisv: [],
      mme_host: [],
      mme_realm: [],
      purge_flag: [],
      access_restriction_data: 32,
      network_access_mode: 0,
      subscribed_rau_tau_timer: 12,
      __v: 0,
    });
  });

  it('emits only integers in int32 range, since Open5GS skips doubles without a word', () => {
    const numbers: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'number') numbers.push(v);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    };
    walk(buildSubscriberDocument(goldenInput));

    expect(numbers.length).toBeGreaterThan(20);
    expect(numbers.every((n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31)).toBe(true);
  });
});

describe('buildSubscriberDocument: slices and static IP', () => {
  const twoSlices = SubscriberProfile.parse({
    ambr: gbps,
    slices: [
      { sst: 3, sd: 'ABCDEF', sessions: [{ dnn: 'iot', type: 'IPv4', ambr: gbps }] },
      {
        sst: 1,
        default: true,
        sessions: [
          { dnn: 'v6only', type: 'IPv6', ambr: gbps },
          { dnn: 'internet', type: 'IPv4', ambr: gbps },
          { dnn: 'backup', type: 'IPv4', ambr: gbps },
        ],
      },
    ],
  });

  it('puts the default slice first, writes sd only when set and marks only the default slice', () => {
    const doc = buildSubscriberDocument(input({ profile: twoSlices }));

    expect(doc.slice.map((s) => [s.sst, s.sd, s.default_indicator])).toEqual([
      [1, undefined, true],
      [3, 'ABCDEF', false],
    ]);
    expect('sd' in doc.slice[0]!).toBe(false);
    expect(doc.slice[0]!.session.map((s) => s.name)).toEqual(['v6only', 'internet', 'backup']);
  });

  it('puts the default DNN first in its slice and keeps the others in profile order', () => {
    const marked = SubscriberProfile.parse({
      ...twoSlices,
      slices: twoSlices.slices.map((s) =>
        s.default ? { ...s, sessions: s.sessions.map((x) => ({ ...x, default: x.dnn === 'backup' })) } : s,
      ),
    });
    const doc = buildSubscriberDocument(input({ profile: marked }));

    expect(doc.slice[0]!.session.map((s) => s.name)).toEqual(['backup', 'v6only', 'internet']);
    expect(doc.slice[0]!.session.every((s) => !('default' in s))).toBe(true);
  });

  it('puts the static IPv4 on the first IPv4-capable session of the default slice only', () => {
    const doc = buildSubscriberDocument(input({ profile: twoSlices, staticIpv4: '10.45.1.7' }));
    const withUe = doc.slice.flatMap((s) => s.session.filter((x) => x.ue).map((x) => [s.sst, x.name, x.ue]));

    expect(withUe).toEqual([[1, 'internet', { ipv4: '10.45.1.7' }]]);
    expect(staticIpv4Dnn(twoSlices)).toBe('internet');
  });

  it('puts the static IPv6 on the first IPv6-capable session of the default slice, as lib/dbi/subscription.c reads it', () => {
    // subscription.c: session `ue` document, key OGS_IPV6_STRING "ipv6", a UTF-8 string parsed by ogs_ipsubnet.
    const doc = buildSubscriberDocument(
      input({ profile: twoSlices, staticIpv4: '10.45.1.7', staticIpv6: '2001:db8:cafe:ff01::10' }),
    );
    const withUe = doc.slice.flatMap((s) => s.session.filter((x) => x.ue).map((x) => [s.sst, x.name, x.ue]));

    expect(withUe).toEqual([
      [1, 'v6only', { ipv6: '2001:db8:cafe:ff01::10' }],
      [1, 'internet', { ipv4: '10.45.1.7' }],
    ]);
    expect(staticIpv6Dnn(twoSlices)).toBe('v6only');
  });

  it('writes both addresses in one ue block on an IPv4v6 session', () => {
    const dual = SubscriberProfile.parse({
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', type: 'IPv4v6', ambr: gbps }] }],
    });
    const doc = buildSubscriberDocument(
      input({ profile: dual, staticIpv4: '10.45.1.7', staticIpv6: '2001:db8:cafe:ff01::10' }),
    );
    expect(doc.slice[0]!.session[0]!.ue).toEqual({ ipv4: '10.45.1.7', ipv6: '2001:db8:cafe:ff01::10' });
  });

  it('refuses a static IPv6 address without an IPv6-capable session, or not a plain address', () => {
    const v4only = SubscriberProfile.parse({
      ambr: gbps,
      slices: [{ sst: 1, default: true, sessions: [{ dnn: 'internet', ambr: gbps }] }],
    });
    expect(() => buildSubscriberDocument(input({ profile: v4only, staticIpv6: '2001:db8::5' }))).toThrow(
      Open5gsDocumentError,
    );
    expect(() =>
      buildSubscriberDocument(input({ profile: twoSlices, staticIpv6: '2001:db8:cafe:ff01::/64' })),
    ).toThrow(/not an IPv6 address/);
  });

  it('writes no ue block without a static address', () => {
    for (const staticIpv4 of [null, undefined]) {
      const doc = buildSubscriberDocument(input({ profile: twoSlices, staticIpv4 }));
      expect(doc.slice.flatMap((s) => s.session).some((x) => 'ue' in x)).toBe(false);
    }
  });

  it('rejects a static address that is not IPv4, or a default slice without an IPv4 session', () => {
    const v6Only = profileWithSession({ type: 'IPv6' });

    expect(() => buildSubscriberDocument(input({ staticIpv4: '10.45.0.256' }))).toThrow(/not a dotted-quad/);
    expect(() => buildSubscriberDocument(input({ staticIpv4: 'fd00::1' }))).toThrow(Open5gsDocumentError);
    expect(() => buildSubscriberDocument(input({ profile: v6Only, staticIpv4: '10.0.0.1' }))).toThrow(
      /needs an IPv4 session/,
    );
  });
});

describe('buildSubscriberDocument: refusals', () => {
  const sessions = (n: number) => Array.from({ length: n }, (_, i) => ({ dnn: `dnn${i}`, ambr: gbps }));
  const profile = (slices: unknown[]) => SubscriberProfile.parse({ ambr: gbps, slices });

  it('refuses more DNNs per slice than Open5GS can hold (its readers abort past 4)', () => {
    // The profile schema refuses it first; the builder is the second line for profiles stored before that.
    expect(
      SubscriberProfile.safeParse({ ambr: gbps, slices: [{ sst: 1, default: true, sessions: sessions(5) }] })
        .success,
    ).toBe(false);
    const four = profile([{ sst: 1, default: true, sessions: sessions(4) }]);
    four.slices[0]!.sessions.push({ ...four.slices[0]!.sessions[0]!, dnn: 'dnn-extra' });
    expect(() => buildSubscriberDocument(input({ profile: four }))).toThrow(/at most 4 DNNs per slice/);
  });

  it('refuses a duplicated S-NSSAI or a duplicated DNN within a slice', () => {
    const dupSlice = profile([
      { sst: 1, sd: '0000aa', default: true, sessions: sessions(1) },
      { sst: 1, sd: '0000AA', sessions: sessions(1) },
    ]);
    const dupDnn = profile([{ sst: 1, default: true, sessions: [...sessions(1), ...sessions(1)] }]);

    expect(() => buildSubscriberDocument(input({ profile: dupSlice }))).toThrow(
      /S-NSSAI 1-0000aa appears twice/,
    );
    expect(() => buildSubscriberDocument(input({ profile: dupDnn }))).toThrow(/DNN appears twice/);
  });

  it.each([
    ['IMSI', { imsi: '00101000000001' }, /IMSI must be 15 digits/],
    ['MSISDN', { msisdn: '+97150000001' }, /MSISDN must be 1 to 15 digits/],
    ['K length', { secret: { ...secret, k: Buffer.alloc(15) } }, /K must be 16 bytes/],
    ['OPc length', { secret: { ...secret, opc: Buffer.alloc(17) } }, /OPc must be 16 bytes/],
    ['AMF length', { secret: { ...secret, amf: Buffer.alloc(1) } }, /AMF must be 2 bytes/],
    ['negative SQN', { sqn: -1 }, /48 bits/],
    ['SQN over 48 bits', { sqn: 2n ** 48n }, /48 bits/],
    ['fractional SQN', { sqn: 1.5 }, /integer/],
  ] as const)('refuses a bad %s, naming the IMSI and never the key', (_what, overrides, message) => {
    const attempt = () => buildSubscriberDocument(input(overrides));

    expect(attempt).toThrow(message);
    expect(attempt).toThrow(Open5gsDocumentError);
    try {
      attempt();
    } catch (err) {
      expect(String(err)).not.toMatch(/465B5CE8|E8ED289D/i);
    }
  });
});

describe('buildSubscriberDocuments', () => {
  const inputs: SubscriberDocumentInput[] = Array.from({ length: 50 }, (_, i) =>
    input({
      imsi: `0010100000${String(i).padStart(5, '0')}`,
      profile: i % 3 === 0 ? goldenProfile : DEFAULT_PROFILE,
      status: i % 7 === 0 ? 'barred' : 'active',
      staticIpv4: i % 5 === 0 ? `10.45.0.${i + 1}` : null,
      msisdn: i % 2 === 0 ? `9715000${String(i).padStart(4, '0')}` : null,
    }),
  );

  it('builds the same documents, in the same order, as one call per subscriber', () => {
    const batch = buildSubscriberDocuments(inputs);

    expect(batch.map(ordered)).toEqual(inputs.map((x) => ordered(buildSubscriberDocument(x))));
  });

  it('shares only frozen profile parts between documents, so no document can change another', () => {
    const [a, b] = buildSubscriberDocuments([inputs[1]!, inputs[2]!]);

    expect(a!.slice).toBe(b!.slice);
    expect(Object.isFrozen(a!.slice[0]!.session[0]!.qos.arp)).toBe(true);
    expect(a!.security).not.toBe(b!.security);
  });

  it('throws on the first bad subscriber unless asked to report and skip bad ones', () => {
    const bad = input({ imsi: '001010000000099', staticIpv4: 'not-an-ip' });
    const errors: Open5gsDocumentError[] = [];

    expect(() => buildSubscriberDocuments([inputs[0]!, bad])).toThrow(Open5gsDocumentError);
    const docs = buildSubscriberDocuments([inputs[0]!, bad, inputs[1]!], (e) => errors.push(e));
    expect(docs.map((d) => d.imsi)).toEqual([inputs[0]!.imsi, inputs[1]!.imsi]);
    expect(errors.map((e) => e.imsi)).toEqual(['001010000000099']);
  });

  it('reports every subscriber of a profile Open5GS cannot hold, not only the first', () => {
    // The profile schema already refuses this; the builder is the second line for data written before that.
    const tooMany = {
      ...SubscriberProfile.parse({
        ambr: gbps,
        slices: [{ sst: 1, default: true, sessions: [{ dnn: 'a', ambr: gbps }] }],
      }),
    };
    tooMany.slices[0]!.sessions.push(
      ...tooMany.slices[0]!.sessions.slice(0, 1).flatMap((x) =>
        ['b', 'c', 'd', 'e'].map((dnn) => ({ ...x, dnn })),
      ),
    );
    const errors: string[] = [];
    buildSubscriberDocuments(
      [
        input({ imsi: '001010000000011', profile: tooMany }),
        input({ imsi: '001010000000012', profile: tooMany }),
      ],
      (e) => errors.push(e.imsi),
    );

    expect(errors).toEqual(['001010000000011', '001010000000012']);
  });

  it('returns an empty list for no input', () => {
    expect(buildSubscriberDocuments([])).toEqual([]);
  });
});
