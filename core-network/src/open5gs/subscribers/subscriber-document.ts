import { isIPv4, isIPv6 } from 'node:net';
import type { BitrateUnit, SubscriberProfile } from '../../subscribers/profile.js';

/*
 * The document Open5GS keeps per subscriber in MongoDB `open5gs.subscribers`. Field names, nesting and
 * defaults follow the webui's mongoose model (webui/server/models/subscriber.js); value *types* follow what the
 * C readers accept (lib/dbi/subscription.c): every number below must reach BSON as int32 (the C code tests
 * BSON_ITER_HOLDS_INT32 and silently skips doubles), booleans as bool, `security.sqn` as int64.
 * The MongoDB driver writes a JS integer in int32 range as int32 and a bigint as int64, so `sqn` is a bigint.
 */

export type Open5gsBitrate = { readonly value: number; readonly unit: number };
export type Open5gsAmbr = { readonly downlink: Open5gsBitrate; readonly uplink: Open5gsBitrate };

export type Open5gsSession = {
  /** DNN (5G) / APN (4G). */
  readonly name: string;
  readonly type: number;
  readonly qos: {
    /** 5QI (5G) / QCI (4G). */
    readonly index: number;
    readonly arp: {
      readonly priority_level: number;
      readonly pre_emption_capability: number;
      readonly pre_emption_vulnerability: number;
    };
  };
  readonly ambr: Open5gsAmbr;
  /** Static UE addresses: lib/dbi/subscription.c reads `ue.ipv4` and `ue.ipv6` as strings (ogs_ipsubnet). */
  readonly ue?: { readonly ipv4?: string; readonly ipv6?: string };
  readonly pcc_rule: readonly never[];
};

export type Open5gsSlice = {
  readonly sst: number;
  readonly sd?: string;
  readonly default_indicator: boolean;
  readonly session: readonly Open5gsSession[];
};

export type Open5gsSubscriberDocument = {
  readonly schema_version: 1;
  readonly imsi: string;
  readonly msisdn: readonly string[];
  readonly imeisv: readonly string[];
  readonly mme_host: readonly string[];
  readonly mme_realm: readonly string[];
  readonly purge_flag: readonly boolean[];
  readonly security: {
    readonly k: string;
    readonly op: null;
    readonly opc: string;
    readonly amf: string;
    readonly sqn: bigint;
  };
  readonly ambr: Open5gsAmbr;
  readonly slice: readonly Open5gsSlice[];
  readonly access_restriction_data: number;
  readonly subscriber_status: number;
  readonly operator_determined_barring: number;
  readonly network_access_mode: number;
  readonly subscribed_rau_tau_timer: number;
  readonly __v: 0;
};

export type SubscriberDocumentInput = {
  readonly imsi: string;
  readonly msisdn: string | null;
  readonly secret: { readonly k: Buffer; readonly opc: Buffer; readonly amf: Buffer };
  /** SQN to write on first insert; Open5GS's HSS/UDM own it afterwards. Defaults to 0. */
  readonly sqn?: number | bigint;
  readonly profile: SubscriberProfile;
  readonly status: 'active' | 'barred';
  readonly staticIpv4?: string | null;
  readonly staticIpv6?: string | null;
};

/** Webui unit selector: value × 1000^unit bit/s (lib/dbi/subscription.c multiplies by 1000 per unit step). */
export const OPEN5GS_BITRATE_UNIT = { bps: 0, Kbps: 1, Mbps: 2, Gbps: 3, Tbps: 4 } as const satisfies Record<
  BitrateUnit,
  number
>;

/** OGS_PDU_SESSION_TYPE_* in lib/proto/types.h (the webui offers 1..3). */
export const OPEN5GS_SESSION_TYPE = { IPv4: 1, IPv6: 2, IPv4v6: 3 } as const;

/**
 * ARP pre-emption flags are stored in the 5GC encoding, OGS_5GC_PRE_EMPTION_DISABLED = 1 / _ENABLED = 2
 * (lib/proto/types.h), which the webui offers as [1 "Disabled", 2 "Enabled"]. The HSS converts them to the
 * S6a encoding itself (OGS_EPC_PRE_EMPTION_DISABLED = 1, _ENABLED = 0, TS 29.272 §7.3.40/41). Never write 0:
 * the UDM and SMF assert on a value that is neither 1 nor 2.
 */
export const OPEN5GS_PRE_EMPTION = { disabled: 1, enabled: 2 } as const;

/** OGS_SUBSCRIBER_STATUS_* (TS 29.272 §7.3.29 Subscriber-Status). */
export const OPEN5GS_SUBSCRIBER_STATUS = { serviceGranted: 0, operatorDeterminedBarring: 1 } as const;

/**
 * TS 29.272 §7.3.30 Operator-Determined-Barring is a bit mask; bit 0 = "All Packet Oriented Services Barred"
 * (OGS_OP_DET_BARRING_ALL_PS_BARRED). The HSS only sends it to the MME when subscriber_status = 1.
 */
export const OPEN5GS_ODB_ALL_PACKET_ORIENTED_SERVICES_BARRED = 1;

/** Webui defaults for a new subscriber (mongoose model defaults, open5gs-dbctl `add`). */
export const OPEN5GS_DEFAULTS = {
  schemaVersion: 1,
  /** OGS_ACCESS_RESTRICTION_HO_TO_NON_3GPP_ACCESS_NOT_ALLOWED (1<<5). */
  accessRestrictionData: 32,
  /** OGS_NETWORK_ACCESS_MODE_PACKET_AND_CIRCUIT. */
  networkAccessMode: 0,
  /** Minutes. */
  subscribedRauTauTimer: 12,
} as const;

/**
 * Paths Open5GS itself writes while running (HSS: SQN on every vector, IMEISV, serving MME, purge flag).
 * Pakawaaz writes them only when it creates a document and never compares them.
 */
export const OPEN5GS_RUNTIME_FIELDS = [
  'imeisv',
  'mme_host',
  'mme_realm',
  'mme_timestamp',
  'purge_flag',
] as const;
export const OPEN5GS_RUNTIME_SECURITY_FIELDS = ['sqn', 'rand'] as const;

/**
 * lib/dbi/subscription.c ogs_asserts (aborts the HSS/UDR/PCRF process) past OGS_MAX_NUM_OF_SLICE = 8 slices,
 * OGS_MAX_NUM_OF_SESS = 4 sessions per slice and OGS_MAX_NUM_OF_MSISDN = 2; the webui enforces the same.
 */
export const OPEN5GS_LIMITS = { slices: 8, sessionsPerSlice: 4 } as const;

/** SQN is 48 bits (TS 33.102 §6.3.2). */
const MAX_SQN = (1n << 48n) - 1n;

export class Open5gsDocumentError extends Error {
  constructor(
    readonly imsi: string,
    reason: string,
  ) {
    super(`Cannot build the Open5GS document for IMSI ${imsi}: ${reason}`);
    this.name = 'Open5gsDocumentError';
  }
}

/** Builds the exact `subscribers` document for one subscriber. Pure: same input, same document, same key order. */
export function buildSubscriberDocument(input: SubscriberDocumentInput): Open5gsSubscriberDocument {
  return assemble(input, profileParts(input));
}

/**
 * Builds many documents. Thousands of subscribers share a handful of profile objects, so the AMBR and slice
 * blocks of each distinct profile are built once, frozen and shared between documents (a subscriber with a
 * static IP gets its own slices, as the address lives inside a session).
 * Without `onError` the first bad subscriber throws; with it, bad subscribers are reported and left out, so
 * that one broken row cannot hold back the sync (and the barrings) of all the others.
 */
export function buildSubscriberDocuments(
  inputs: readonly SubscriberDocumentInput[],
  onError?: (error: Open5gsDocumentError) => void,
): Open5gsSubscriberDocument[] {
  const shared = new Map<SubscriberProfile, ProfileParts>();
  const out: Open5gsSubscriberDocument[] = [];
  for (const input of inputs) {
    try {
      let parts = shared.get(input.profile);
      if (parts === undefined) {
        parts = deepFreeze(profileParts(input));
        shared.set(input.profile, parts);
      }
      out.push(assemble(input, parts));
    } catch (err) {
      if (onError === undefined || !(err instanceof Open5gsDocumentError)) throw err;
      onError(err);
    }
  }
  return out;
}

type ProfileParts = { readonly ambr: Open5gsAmbr; readonly slice: readonly Open5gsSlice[] };

function profileParts({ imsi, profile }: SubscriberDocumentInput): ProfileParts {
  checkProfileLimits(imsi, profile);
  return { ambr: ambr(profile.ambr), slice: slices(profile, null) };
}

function checkProfileLimits(imsi: string, profile: SubscriberProfile): void {
  if (profile.slices.length > OPEN5GS_LIMITS.slices)
    throw new Open5gsDocumentError(imsi, `Open5GS accepts at most ${OPEN5GS_LIMITS.slices} slices`);
  const snssais = new Set<string>();
  for (const s of profile.slices) {
    const snssai = `${s.sst}-${(s.sd ?? '').toLowerCase()}`;
    if (snssais.has(snssai)) throw new Open5gsDocumentError(imsi, `S-NSSAI ${snssai} appears twice`);
    snssais.add(snssai);
    if (s.sessions.length > OPEN5GS_LIMITS.sessionsPerSlice)
      throw new Open5gsDocumentError(
        imsi,
        `Open5GS accepts at most ${OPEN5GS_LIMITS.sessionsPerSlice} DNNs per slice`,
      );
    if (new Set(s.sessions.map((x) => x.dnn)).size !== s.sessions.length)
      throw new Open5gsDocumentError(imsi, `a DNN appears twice in slice ${snssai}`);
  }
}

function assemble(input: SubscriberDocumentInput, parts: ProfileParts): Open5gsSubscriberDocument {
  const { imsi, msisdn, secret, status } = input;
  checkIdentity(input);
  const barred = status === 'barred';
  return {
    schema_version: OPEN5GS_DEFAULTS.schemaVersion,
    imsi,
    msisdn: msisdn === null ? [] : [msisdn],
    // Empty arrays are what the webui's mongoose model stores for these until the HSS fills them in.
    imeisv: [],
    mme_host: [],
    mme_realm: [],
    purge_flag: [],
    security: {
      // Upper-case hex, no spaces: how the webui's default subscriber and open5gs-dbctl store them.
      k: hexKey(imsi, 'K', secret.k, 16),
      op: null,
      opc: hexKey(imsi, 'OPc', secret.opc, 16),
      amf: hexKey(imsi, 'AMF', secret.amf, 2),
      sqn: toSqn(imsi, input.sqn ?? 0),
    },
    ambr: parts.ambr,
    slice:
      (input.staticIpv4 ?? null) === null && (input.staticIpv6 ?? null) === null
        ? parts.slice
        : slices(input.profile, staticIps(input)),
    access_restriction_data: OPEN5GS_DEFAULTS.accessRestrictionData,
    subscriber_status: barred
      ? OPEN5GS_SUBSCRIBER_STATUS.operatorDeterminedBarring
      : OPEN5GS_SUBSCRIBER_STATUS.serviceGranted,
    operator_determined_barring: barred ? OPEN5GS_ODB_ALL_PACKET_ORIENTED_SERVICES_BARRED : 0,
    network_access_mode: OPEN5GS_DEFAULTS.networkAccessMode,
    subscribed_rau_tau_timer: OPEN5GS_DEFAULTS.subscribedRauTauTimer,
    __v: 0,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function checkIdentity({ imsi, msisdn }: SubscriberDocumentInput): void {
  if (!/^\d{15}$/.test(imsi)) throw new Open5gsDocumentError(imsi, 'IMSI must be 15 digits');
  // lib/dbi/subscription.c BCD-encodes each MSISDN; anything but digits would be corrupted silently.
  if (msisdn !== null && !/^\d{1,15}$/.test(msisdn))
    throw new Open5gsDocumentError(imsi, 'MSISDN must be 1 to 15 digits');
}

function hexKey(imsi: string, name: string, value: Buffer, bytes: number): string {
  if (value.length !== bytes) throw new Open5gsDocumentError(imsi, `${name} must be ${bytes} bytes`);
  return value.toString('hex').toUpperCase();
}

function toSqn(imsi: string, sqn: number | bigint): bigint {
  if (typeof sqn === 'number' && !Number.isSafeInteger(sqn))
    throw new Open5gsDocumentError(imsi, 'SQN must be an integer');
  const value = BigInt(sqn);
  if (value < 0n || value > MAX_SQN) throw new Open5gsDocumentError(imsi, 'SQN must fit in 48 bits');
  return value;
}

function bitrate(b: { value: number; unit: BitrateUnit }): Open5gsBitrate {
  return { value: b.value, unit: OPEN5GS_BITRATE_UNIT[b.unit] };
}

function ambr(a: SubscriberProfile['ambr']): Open5gsAmbr {
  return { downlink: bitrate(a.downlink), uplink: bitrate(a.uplink) };
}

type ProfileSlice = SubscriberProfile['slices'][number];
type ProfileSession = ProfileSlice['sessions'][number];

type StaticIps = {
  readonly ipv4: { readonly dnn: string; readonly address: string } | null;
  readonly ipv6: { readonly dnn: string; readonly address: string } | null;
};

/**
 * Slices and sessions in the order Open5GS reads meaning into, which is not the profile's order:
 * - 4G: the HSS builds the whole APN-Configuration-Profile from `slice[0]` and ignores `default_indicator`
 *   ("For EPC, we'll use first Slice in Subscription", src/hss/hss-s6a-path.c hss_s6a_avp_add_subscription_data
 *   and src/hss/hss-swx-path.c), and gives `session[i]` Context-Identifier i+1 with the profile's
 *   Context-Identifier 1, so `slice[0].session[0]` is the default APN.
 *   lib/dbi/subscription.c ogs_dbi_subscription_data reads the `slice` array in stored order.
 * - 5G: the UDR marks `session[0]` of every slice as its default DNN ("0-index DNN becomes the default DNN",
 *   src/udr/nudr-handler.c) and takes the default S-NSSAIs from `default_indicator`.
 * So the default slice goes first, and in every slice the default session goes first; the rest keep their order.
 */
export function open5gsOrder(profile: SubscriberProfile): ProfileSlice[] {
  const first = <T extends { default?: boolean | undefined }>(xs: readonly T[]): T[] => {
    const i = xs.findIndex((x) => x.default === true);
    return i <= 0 ? [...xs] : [xs[i]!, ...xs.slice(0, i), ...xs.slice(i + 1)];
  };
  return first(profile.slices).map((s) => ({ ...s, sessions: first(s.sessions) }));
}

function slices(profile: SubscriberProfile, statics: StaticIps | null): Open5gsSlice[] {
  const on = (dnn: string, ip: StaticIps['ipv4']) => (ip !== null && ip.dnn === dnn ? ip.address : undefined);
  return open5gsOrder(profile).map((s) => ({
    sst: s.sst,
    ...(s.sd === undefined ? {} : { sd: s.sd }),
    default_indicator: s.default,
    session: s.sessions.map((x) => {
      if (!s.default || statics === null) return session(x, {});
      const ipv4 = on(x.dnn, statics.ipv4);
      const ipv6 = on(x.dnn, statics.ipv6);
      return session(x, { ...(ipv4 === undefined ? {} : { ipv4 }), ...(ipv6 === undefined ? {} : { ipv6 }) });
    }),
  }));
}

/**
 * The DNN a subscriber's static IPv4 address is written on: the first IPv4-capable session of the default
 * slice in Open5GS order, i.e. the default DNN/APN unless that one is IPv6-only. A subscriber has one static
 * address, so it goes on one session; the same address on several DNNs would collide with their UE subnets.
 * Null when the default slice has no IPv4-capable session.
 */
export function staticIpv4Dnn(profile: SubscriberProfile): string | null {
  const defaultSlice = open5gsOrder(profile).find((s) => s.default);
  return defaultSlice?.sessions.find((x) => x.type !== 'IPv6')?.dnn ?? null;
}

/**
 * The DNN a subscriber's static IPv6 address is written on: as staticIpv4Dnn, the first IPv6-capable session
 * (IPv6 or IPv4v6) of the default slice. Null when the default slice has none.
 */
export function staticIpv6Dnn(profile: SubscriberProfile): string | null {
  const defaultSlice = open5gsOrder(profile).find((s) => s.default);
  return defaultSlice?.sessions.find((x) => x.type !== 'IPv4')?.dnn ?? null;
}

function staticIps(input: SubscriberDocumentInput): StaticIps {
  const ipv4 = input.staticIpv4 ?? null;
  const ipv6 = input.staticIpv6 ?? null;
  if (ipv4 !== null && !isIPv4(ipv4))
    throw new Open5gsDocumentError(input.imsi, 'static IPv4 address is not a dotted-quad address');
  // ogs_ipsubnet (lib/core/ogs-sockaddr.c) takes a plain address here; a zone or prefix would fail to parse.
  if (ipv6 !== null && (!isIPv6(ipv6) || ipv6.includes('%')))
    throw new Open5gsDocumentError(input.imsi, 'static IPv6 address is not an IPv6 address');
  const dnn4 = ipv4 === null ? null : staticIpv4Dnn(input.profile);
  if (ipv4 !== null && dnn4 === null)
    throw new Open5gsDocumentError(input.imsi, 'a static IPv4 address needs an IPv4 session');
  const dnn6 = ipv6 === null ? null : staticIpv6Dnn(input.profile);
  if (ipv6 !== null && dnn6 === null)
    throw new Open5gsDocumentError(input.imsi, 'a static IPv6 address needs an IPv6 or IPv4v6 session');
  return {
    ipv4: ipv4 === null ? null : { dnn: dnn4!, address: ipv4 },
    ipv6: ipv6 === null ? null : { dnn: dnn6!, address: ipv6 },
  };
}

function session(s: ProfileSession, ue: { ipv4?: string; ipv6?: string }): Open5gsSession {
  const { arp } = s.qos;
  return {
    name: s.dnn,
    type: OPEN5GS_SESSION_TYPE[s.type],
    qos: {
      index: s.qos.index,
      arp: {
        priority_level: arp.priorityLevel,
        pre_emption_capability: OPEN5GS_PRE_EMPTION[arp.preEmptionCapability],
        pre_emption_vulnerability: OPEN5GS_PRE_EMPTION[arp.preEmptionVulnerability],
      },
    },
    ambr: ambr(s.ambr),
    ...(ue.ipv4 === undefined && ue.ipv6 === undefined ? {} : { ue }),
    pcc_rule: [],
  };
}
