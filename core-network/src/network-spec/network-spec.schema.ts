import { z } from 'zod';
import {
  HNET_ID_RANGE,
  MAX_TAI_LISTS,
  MAX_TAIS_PER_LIST,
  timerProblem,
  validTimerValues,
  type TimerCoding,
} from '../open5gs/config/open5gs-limits.js';
import {
  addressOf,
  advertisedEndpoint,
  cidrOf,
  Device,
  DnnName,
  endpoint,
  HOSTNAME,
  IpLiteral,
  Mcc,
  Mnc,
  NetworkName,
  Port,
  Slice,
  SliceRefSchema,
  Tac,
} from './spec-fields.js';

export { STANDARD_PORTS, SliceRefSchema, type InterfaceKind } from './spec-fields.js';

/**
 * The declarative network spec: what an operator writes in network.yaml. Defaults match Open5GS 2.7's own
 * configs (loopback 127.0.0.x addresses, standard ports), so a spec only states what differs. Cross-field
 * rules (slice references, overlaps, capacity) live in network-spec.checks.ts.
 */

const Dnn = z.strictObject({
  name: DnnName,
  ipv4: z.strictObject({
    subnet: cidrOf(4),
    gateway: addressOf(4).optional(),
    /**
     * A CIDR block inside the subnet kept for subscribers' static addresses: the SMF's dynamic pool leaves it
     * out (rendered as `range:`), and only addresses inside it can be given to a subscriber.
     */
    staticRange: cidrOf(4).optional(),
  }),
  ipv6: z
    .strictObject({
      subnet: cidrOf(6),
      gateway: addressOf(6).optional(),
      /** As ipv4.staticRange, in whole /64s: Open5GS gives each UE a /64 (open5gs/config/ue-pool.ts). */
      staticRange: cidrOf(6).optional(),
    })
    .optional(),
  dns: z
    .array(IpLiteral)
    .min(1, 'give at least one DNS server')
    .max(4, 'at most 4 DNS servers (2 IPv4, 2 IPv6)'),
  mtu: z.number().int().min(1280).max(9000).default(1400),
  slices: z.array(SliceRefSchema).min(1, 'offer the DNN in at least one slice').max(8),
  expectedUes: z.number().int().min(1).optional(),
  device: Device.optional(),
  /**
   * What the UPF host does with the DNN's traffic to anywhere but its own UEs (rendered into the UPF host's
   * nftables script): `nat` masquerades it behind the host's address (the default, as Open5GS's quickstart
   * does), `route` forwards it unchanged (the operator's routers carry the UE subnets back to the UPF host),
   * `none` keeps it inside the DNN (UE to UE only).
   */
  egress: z.enum(['nat', 'route', 'none']).optional(),
});

/** Open5GS's UPF sends a DNN's traffic into this tun device when the DNN names none (lib/pfcp/context.c). */
export const DEFAULT_TUN_DEVICE = 'ogstun';
export const DEFAULT_EGRESS = 'nat';

const NrIntegrity = z.enum(['NIA0', 'NIA1', 'NIA2', 'NIA3']);
const NrCiphering = z.enum(['NEA0', 'NEA1', 'NEA2', 'NEA3']);
const LteIntegrity = z.enum(['EIA0', 'EIA1', 'EIA2', 'EIA3']);
const LteCiphering = z.enum(['EEA0', 'EEA1', 'EEA2', 'EEA3']);
const order = <T extends z.ZodType>(alg: T, fallback: z.output<T>[]) =>
  z.array(alg).min(1).max(4).default(fallback);

// Secure defaults, unlike Open5GS's own (which prefer NEA0 so traffic is readable in Wireshark): AES first,
// SNOW 3G second, no null integrity (TS 33.501 §5.5.2 allows NIA0 for unauthenticated emergency calls only).
const Security = z
  .strictObject({
    nr: z
      .strictObject({
        integrity: order(NrIntegrity, ['NIA2', 'NIA1']),
        ciphering: order(NrCiphering, ['NEA2', 'NEA1', 'NEA0']),
      })
      .prefault({}),
    lte: z
      .strictObject({
        integrity: order(LteIntegrity, ['EIA2', 'EIA1']),
        ciphering: order(LteCiphering, ['EEA2', 'EEA1', 'EEA0']),
      })
      .prefault({}),
  })
  .prefault({});

/**
 * A NAS timer in seconds: only values its coding can carry, as Open5GS converts them (lib/nas/common/conv.c
 * ogs_nas_gprs_timer_from_sec(), ogs_nas_gprs_timer_3_from_sec()); any other fails the NF's start-up check
 * (src/amf/context.c amf_context_validation(), src/mme/mme-context.c mme_context_validation()).
 */
const nasTimer = (coding: TimerCoding, name: string, fallback: number) => {
  const valid = validTimerValues(coding);
  const [min, max] = [valid[0] as number, valid.at(-1) as number];
  const error = (iss: { input?: unknown }) => timerProblem(coding, name, Number(iss.input)) ?? undefined;
  return z
    .number()
    .int()
    .min(min, { error })
    .max(max, { error })
    .superRefine((v, ctx) => {
      const problem = v >= min && v <= max ? timerProblem(coding, name, v) : null;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(fallback)
    .describe(
      `seconds, a value a ${coding} carries (TS 24.008 ${coding === 'GPRS Timer' ? '§10.5.7.3' : '§10.5.7.4a'})`,
    );
};

const NfName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/, 'letters, digits, dots and hyphens');
const HomeNetworkKey = z.strictObject({
  // TS 23.003 §2.2B allows 0-255; lib/sbi/context.c ogs_sbi_context_parse_hnet_config() loads only
  // OGS_HOME_NETWORK_PKI_VALUE_MIN-MAX (lib/sbi/context.h) and drops any other id.
  id: z
    .number()
    .int()
    .min(HNET_ID_RANGE[0], `Open5GS loads home network key ids ${HNET_ID_RANGE[0]}-${HNET_ID_RANGE[1]} only`)
    .max(HNET_ID_RANGE[1], `Open5GS loads home network key ids ${HNET_ID_RANGE[0]}-${HNET_ID_RANGE[1]} only`),
  // 1 = ECIES profile A (X25519), 2 = profile B (secp256r1): TS 33.501 Annex C.
  scheme: z.union([z.literal(1), z.literal(2)]),
  keyFile: z.string().min(1).max(4096),
});

const sbiOnly = (address: string) => z.strictObject({ sbi: advertisedEndpoint(address, 'sbi') }).prefault({});

/** Names a UPF or SGW-U in a list; it becomes part of a file name (upf-<name>.yaml), hence the strict form. */
const UserPlaneName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'lower-case letters, digits and hyphens, at most 32');

/**
 * Which sessions the control plane hands this user-plane node: Open5GS 2.7's `dnn:`/`tac:` keys of a
 * `pfcp.client.upf|sgwu` entry. `dnns` also limits the UE pools the node routes (default: every DNN).
 * Open5GS matches a session when its DNN *or* its TAC is listed (src/smf/context.c compare_ue_info); the
 * checks make sure that never hands a node a DNN it does not serve.
 */
const selection = {
  dnns: z.array(DnnName).min(1).max(16, 'Open5GS reads at most 16 DNNs per peer').optional(),
  tacs: z.array(Tac).min(1).max(16, 'Open5GS reads at most 16 TACs per peer').optional(),
};

const upfShape = {
  pfcp: advertisedEndpoint('127.0.0.7', 'pfcp'),
  gtpu: advertisedEndpoint('127.0.0.7', 'gtpu'),
  metrics: endpoint('127.0.0.7', 'metrics'),
  ...selection,
};
const sgwuShape = {
  pfcp: advertisedEndpoint('127.0.0.6', 'pfcp'),
  gtpu: advertisedEndpoint('127.0.0.6', 'gtpu'),
  ...selection,
};
/** At most OGS_MAX_NUM_OF_UPF peers in one SMF/SGW-C; far more than a private network needs. */
export const MAX_USER_PLANE_NODES = 16;
/** One node (the single-host form every older spec uses) or a named list of them. */
const oneOrList = <S extends z.ZodRawShape>(shape: S, kind: string) =>
  z
    .union(
      [
        z.strictObject({ name: UserPlaneName.optional(), ...shape }),
        z
          .array(
            z.strictObject({
              name: z
                .string({ error: `name each ${kind} of a list: the name is part of its file's name` })
                .pipe(UserPlaneName),
              ...shape,
            }),
          )
          .min(1, `list at least one ${kind}`)
          .max(MAX_USER_PLANE_NODES, `at most ${MAX_USER_PLANE_NODES} ${kind}s`),
      ],
      { error: (issue) => unionMessage(issue, kind) },
    )
    // Absent: the one node on Open5GS's default addresses. ({} is valid input; TS cannot see that generically.)
    .prefault({} as never);

/**
 * A union reports only "Invalid input"; the operator needs the problem inside the form they wrote (one node
 * or a list), so the message is that branch's first issue, with its path below the union.
 */
function unionMessage(issue: { code?: string; input?: unknown; errors?: unknown }, kind: string): string {
  const branches = issue.errors as { path: PropertyKey[]; message: string }[][] | undefined;
  if (issue.code !== 'invalid_union' || !branches) return `expected one ${kind} or a list of them`;
  const list = Array.isArray(issue.input);
  if (!list && (typeof issue.input !== 'object' || issue.input === null))
    return `expected one ${kind} (a mapping) or a list of them`;
  const first = branches[list ? 1 : 0]?.[0];
  if (!first) return `expected one ${kind} or a list of them`;
  const where = first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return where ? `${where.replace(/^\./, '')}: ${first.message}` : first.message;
}

const NetworkFunctions = z
  .strictObject({
    amf: z
      .strictObject({
        name: NfName.default('open5gs-amf0'),
        // AMF Region ID 8 bits, AMF Set ID 10 bits (TS 23.003 §2.10.1); Open5GS truncates larger values
        // silently (lib/proto/types.c ogs_amf_id_build()).
        regionId: z.number().int().min(0).max(255).default(2),
        setId: z.number().int().min(0).max(1023).default(1),
        // T3512 goes out as a GPRS Timer 3 in the Registration Accept (TS 24.501 §8.2.7.1).
        t3512Seconds: nasTimer('GPRS Timer 3', 't3512Seconds', 540),
        sbi: advertisedEndpoint('127.0.0.5', 'sbi'),
        ngap: endpoint('127.0.0.5', 'ngap'),
        metrics: endpoint('127.0.0.5', 'metrics'),
      })
      .prefault({}),
    smf: z
      .strictObject({
        sbi: advertisedEndpoint('127.0.0.4', 'sbi'),
        pfcp: advertisedEndpoint('127.0.0.4', 'pfcp'),
        gtpc: endpoint('127.0.0.4', 'gtpc'),
        gtpu: advertisedEndpoint('127.0.0.4', 'gtpu'),
        metrics: endpoint('127.0.0.4', 'metrics'),
      })
      .prefault({}),
    upf: oneOrList(upfShape, 'UPF'),
    nrf: sbiOnly('127.0.0.10'),
    scp: sbiOnly('127.0.0.200'),
    ausf: sbiOnly('127.0.0.11'),
    udm: z
      .strictObject({
        sbi: advertisedEndpoint('127.0.0.12', 'sbi'),
        hnet: z.array(HomeNetworkKey).max(16).default([]),
      })
      .prefault({}),
    pcf: z
      .strictObject({
        sbi: advertisedEndpoint('127.0.0.13', 'sbi'),
        metrics: endpoint('127.0.0.13', 'metrics'),
      })
      .prefault({}),
    nssf: sbiOnly('127.0.0.14'),
    bsf: sbiOnly('127.0.0.15'),
    udr: sbiOnly('127.0.0.20'),
    mme: z
      .strictObject({
        name: NfName.default('open5gs-mme0'),
        // MME Group ID 16 bits, MME Code 8 bits (TS 23.003 §2.8.1); src/mme/mme-context.h keeps them in a
        // uint16_t and a uint8_t.
        groupId: z.number().int().min(0).max(65535).default(2),
        code: z.number().int().min(0).max(255).default(1),
        // Open5GS sends T3412 as a GPRS Timer (TS 24.301 §8.2.1.1), not as T3412 extended (GPRS Timer 3).
        t3412Seconds: nasTimer('GPRS Timer', 't3412Seconds', 3240),
        s1ap: endpoint('127.0.0.2', 's1ap'),
        gtpc: endpoint('127.0.0.2', 'gtpc'),
        metrics: endpoint('127.0.0.2', 'metrics'),
      })
      .prefault({}),
    sgwc: z
      .strictObject({ gtpc: endpoint('127.0.0.3', 'gtpc'), pfcp: advertisedEndpoint('127.0.0.3', 'pfcp') })
      .prefault({}),
    sgwu: oneOrList(sgwuShape, 'SGW-U'),
    hss: z.strictObject({ metrics: endpoint('127.0.0.8', 'metrics') }).prefault({}),
    pcrf: z.strictObject({ metrics: endpoint('127.0.0.9', 'metrics') }).prefault({}),
  })
  .prefault({});

/** Diameter's registered ports (RFC 6733 §11.4): plain TCP/SCTP, and TLS from the first byte. */
export const DIAMETER_PORT = 3868;
export const DIAMETER_SECURE_PORT = 5868;

/** A DNS domain: a Diameter realm or the SBI domain (lower case, as TS 23.003 writes them). */
const Domain = z
  .string()
  .regex(HOSTNAME, 'expected a domain name, e.g. epc.mnc001.mcc001.3gppnetwork.org')
  .toLowerCase();
/** A Diameter identity is an FQDN (RFC 6733 §4.3.1, DiamIdent): a host name within a domain. */
const Fqdn = Domain.refine(
  (v) => v.includes('.'),
  'expected a fully qualified domain name, e.g. mme.epc.mnc001.mcc001.3gppnetwork.org',
);

/**
 * One 4G NF's Diameter node. freeDiameter's ConnectTo takes a numeric address only (AI_NUMERICHOST), so the
 * address is an IP literal, never a host name.
 */
const diameterNode = (address: string) =>
  z
    .strictObject({
      identity: Fqdn.optional(),
      address: IpLiteral.default(address),
      port: Port.default(DIAMETER_PORT),
      secPort: Port.default(DIAMETER_SECURE_PORT),
    })
    .prefault({});

/**
 * The Diameter links of the 4G core: S6a (MME ↔ HSS) and Gx (SMF as PGW-C ↔ PCRF), one realm for all (Open5GS
 * sends every request to its own realm). Identities and realm default to TS 23.003 §19.4.2 names from the PLMN.
 */
const Diameter = z
  .strictObject({
    realm: Domain.optional(),
    /** TLS on every link (RFC 6733 TLS on the secure port, certificates of the network CA); plain when false. */
    tls: z.boolean().default(false),
    /** false writes No_SCTP (TCP only): for hosts whose kernel has no SCTP. */
    sctp: z.boolean().default(true),
    mme: diameterNode('127.0.0.2'),
    hss: diameterNode('127.0.0.8'),
    smf: diameterNode('127.0.0.4'),
    pcrf: diameterNode('127.0.0.9'),
  })
  .prefault({});

/** The 5GC service-based interface: https with the network CA's certificates, NFs named by FQDN. */
const Sbi = z
  .strictObject({
    tls: z.boolean().default(false),
    /** Domain of the NF FQDNs (`nrf.<domain>`); default 5gc.mnc<MNC>.mcc<MCC>.3gppnetwork.org (TS 23.003 §28.2). */
    domain: Domain.optional(),
  })
  .prefault({});

export const DEFAULT_EXPECTED_UE_COUNT = 10_000;

export const NetworkSpecSchema = z.strictObject({
  networkName: z.strictObject({ full: NetworkName, short: NetworkName.optional() }),
  plmn: z.strictObject({ mcc: Mcc, mnc: Mnc }),
  // 24-bit 5GS TAC (TS 24.501 §9.11.3.8); LTE only carries 16 bits, see the checks.
  tacs: z
    .array(Tac)
    .min(1, 'declare at least one TAC')
    // Rendered as TAI lists (registration areas) of MAX_TAIS_PER_LIST: 256 TACs make 16 lists, far below the
    // MAX_TAI_LISTS Open5GS holds (OGS_MAX_NUM_OF_SUPPORTED_TA, lib/proto/types.h).
    .max(
      256,
      `at most 256 TACs (they are served as ${256 / MAX_TAIS_PER_LIST} TAI lists of ${MAX_TAIS_PER_LIST}; Open5GS holds ${MAX_TAI_LISTS})`,
    ),
  // Open5GS and the allowed NSSAI (TS 24.501 §9.11.3.37) both stop at 8 S-NSSAIs.
  slices: z
    .array(Slice)
    .min(1, 'declare at least one slice')
    .max(8, 'at most 8 slices (allowed NSSAI limit)'),
  dnns: z.array(Dnn).min(1, 'declare at least one DNN').max(16, 'Open5GS supports at most 16 DNNs'),
  security: Security,
  nf: NetworkFunctions,
  diameter: Diameter,
  sbi: Sbi,
  expectedUeCount: z.number().int().min(1).max(10_000_000).default(DEFAULT_EXPECTED_UE_COUNT),
});

export type NetworkSpec = z.output<typeof NetworkSpecSchema>;
export type NetworkSpecInput = z.input<typeof NetworkSpecSchema>;
export type SliceRef = z.output<typeof SliceRefSchema>;
export type DnnSpec = NetworkSpec['dnns'][number];
export type Endpoint = { address: string; port: number; advertise?: string | undefined };
type OneOf<T> = T extends readonly (infer E)[] ? E : T;
export type UpfSpec = OneOf<NetworkSpec['nf']['upf']>;
export type SgwuSpec = OneOf<NetworkSpec['nf']['sgwu']>;
export type EgressMode = NonNullable<DnnSpec['egress']>;
