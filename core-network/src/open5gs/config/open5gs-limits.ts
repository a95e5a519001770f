import { isMap, isSeq, parseDocument } from 'yaml';
import { timerProblem } from './nas-timers.js';

/**
 * What Open5GS 2.7 can encode and hold, as pure functions. The network-spec validator refuses what breaks
 * these rules, and `open5gsLimitIssues()` checks the same rules on the rendered YAML files, so the validator
 * and the renderer cannot drift apart (see open5gs-limits.spec.ts and the property test). Every rule cites the
 * Open5GS 2.7.7 source it mirrors; paths are relative to the Open5GS source tree.
 */

// NAS timers (GPRS Timer, GPRS Timer 3): nas-timers.ts.
export * from './nas-timers.js';

// ---------------------------------------------------------------------------------------------------------
// Tracking area identity lists

/** Most TACs in one `tac:` of a `tai` entry, and most entries per list type: OGS_MAX_NUM_OF_TAI (lib/proto/types.h). */
export const MAX_TACS_PER_TAI_ENTRY = 16;
/**
 * One `tai:` key is one served TAI list, sent whole as the UE's registration area in the NAS TAI list IE,
 * which holds "a maximum of 16 different tracking area identities" (TS 24.501 §9.11.3.9, TS 24.301
 * §9.9.3.33). Open5GS does not check that count itself.
 */
export const MAX_TAIS_PER_LIST = 16;
/** `tai:` keys per AMF/MME: OGS_MAX_NUM_OF_SUPPORTED_TA (lib/proto/types.h), asserted per key. */
export const MAX_TAI_LISTS = 256;
/**
 * The value part of the TAI list IE: 5GS at most 114 octets with IEI and length (TS 24.501 §9.11.3.9), so 112;
 * EPS at most 98 with IEI and length (TS 24.301 §9.9.3.33), so 96 (OGS_NAS_EPS_MAX_TAI_LIST_LEN,
 * lib/nas/eps/types.h; the 5GS one, OGS_NAS_5GS_MAX_TAI_LIST_LEN, is 114). Beyond it
 * ogs_nas_5gs_tai_list_build() / ogs_nas_tai_list_build() fail and the AMF (src/amf/gmm-build.c
 * gmm_build_registration_accept()) or MME (src/mme/emm-build.c emm_build_attach_accept(),
 * emm_build_tau_accept()) asserts on the next Registration, Attach or TAU Accept.
 */
export const MAX_TAI_LIST_OCTETS = { amf: 112, mme: 96 } as const;
/** TAC octets: 3 in 5GS (TS 24.501 §9.11.3.8), 2 in EPS (TS 24.301 §9.9.3.32). */
const TAC_OCTETS = { amf: 3, mme: 2 } as const;

export type TaiNf = 'amf' | 'mme';
/** One served TAI list as Open5GS holds it: list0 (TAC lists), list1 (TAC ranges), list2 (single TACs). */
export type ServedTaiList = { list0: number[]; list1: number[]; list2: number; problems: string[] };

type TaiEntry = { plmn?: boolean; tac?: unknown };

/**
 * Mirrors the `tai` parsing of src/amf/context.c amf_context_parse_config() and src/mme/mme-context.c
 * mme_context_parse_config(): `list0` has one count per entry listing several TACs, `list1` one width per
 * range entry ("5-9"), `list2` counts entries of a single TAC. Problems name the ogs_assert() that fires.
 */
export function servedTaiList(entries: readonly TaiEntry[]): ServedTaiList {
  const out: ServedTaiList = { list0: [], list1: [], list2: 0, problems: [] };
  entries.forEach((entry, e) => {
    const raw = entry.tac;
    const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    if (values.length > MAX_TACS_PER_TAI_ENTRY)
      out.problems.push(
        `entry ${e} lists ${values.length} TACs; Open5GS asserts above ${MAX_TACS_PER_TAI_ENTRY} (OGS_MAX_NUM_OF_TAI)`,
      );
    const ranges: [number, number][] = [];
    for (const v of values) {
      const [low, high] = text(v).split('-');
      const start = Number(low);
      if (!low || !Number.isFinite(start)) continue;
      const end = high ? Number(high) : start;
      if (end < start || end - start + 1 > MAX_TACS_PER_TAI_ENTRY) {
        out.problems.push(
          `entry ${e} range ${text(v)} is ${end < start ? 'inverted' : `wider than ${MAX_TACS_PER_TAI_ENTRY} TACs`}; Open5GS drops it ("Invalid/Overflow TAI range")`,
        );
        continue;
      }
      ranges.push([start, end]);
    }
    if (!entry.plmn || ranges.length === 0) return;
    if (ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) {
      out.list2 += 1;
      return;
    }
    let count = 0;
    for (const [start, end] of ranges) {
      if (start === end) count += 1;
      else out.list1.push(end - start + 1);
    }
    if (count > 0) out.list0.push(count);
  });
  if (out.list0.length > MAX_TACS_PER_TAI_ENTRY)
    out.problems.push(
      `${out.list0.length} TAC lists; Open5GS asserts above ${MAX_TACS_PER_TAI_ENTRY} (OGS_MAX_NUM_OF_TAI)`,
    );
  if (out.list1.length > MAX_TACS_PER_TAI_ENTRY)
    out.problems.push(
      `${out.list1.length} TAC ranges; Open5GS asserts above ${MAX_TACS_PER_TAI_ENTRY} (OGS_MAX_NUM_OF_TAI)`,
    );
  if (out.list2 > MAX_TACS_PER_TAI_ENTRY)
    out.problems.push(
      `${out.list2} single-TAC entries; Open5GS asserts above ${MAX_TACS_PER_TAI_ENTRY} (OGS_MAX_NUM_OF_TAI)`,
    );
  return out;
}

/**
 * Octets of the TAI list IE value Open5GS builds from a served list (lib/nas/5gs/types.c
 * ogs_nas_5gs_tai_list_build(), lib/nas/eps/types.c ogs_nas_tai_list_build()): per TAC list 1 + 3 (PLMN) +
 * n TACs, per range 1 + 3 + 1 TAC, and for the single TACs 1 + n × (3 + TAC).
 */
export function taiListOctets(list: ServedTaiList, nf: TaiNf): number {
  const tac = TAC_OCTETS[nf];
  const l0 = list.list0.reduce((sum, n) => sum + 1 + 3 + tac * n, 0);
  const l1 = list.list1.length * (1 + 3 + tac);
  const l2 = list.list2 > 0 ? 1 + (3 + tac) * list.list2 : 0;
  return l0 + l1 + l2;
}

export function taiCount(list: ServedTaiList): number {
  return list.list0.reduce((a, b) => a + b, 0) + list.list1.reduce((a, b) => a + b, 0) + list.list2;
}

/** Problems of one served TAI list (one `tai:` key) of the AMF or MME. */
export function taiListProblems(entries: readonly TaiEntry[], nf: TaiNf): string[] {
  const list = servedTaiList(entries);
  const problems = [...list.problems];
  const tais = taiCount(list);
  if (tais > MAX_TAIS_PER_LIST)
    problems.push(
      `${tais} TAIs in one TAI list (registration area); the NAS TAI list holds at most ${MAX_TAIS_PER_LIST} (${nf === 'amf' ? 'TS 24.501 §9.11.3.9' : 'TS 24.301 §9.9.3.33'})`,
    );
  const octets = taiListOctets(list, nf);
  if (octets > MAX_TAI_LIST_OCTETS[nf])
    problems.push(
      `the TAI list takes ${octets} octets, more than the ${MAX_TAI_LIST_OCTETS[nf]} its NAS IE holds; Open5GS asserts on the next ${nf === 'amf' ? 'Registration' : 'Attach/TAU'} Accept`,
    );
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// smf.info

/**
 * src/smf/context.c smf_context_parse_config() `info`: `ogs_assert(num_of_slice < OGS_MAX_NUM_OF_SLICE)` runs
 * before each S-NSSAI is read, including the look-ahead past the last one, so an `s_nssai` list holds at most
 * OGS_MAX_NUM_OF_SLICE - 1 = 7 entries; `ogs_assert(num_of_dnn < OGS_MAX_NUM_OF_DNN)` runs after the `dnn`
 * list is read, so one S-NSSAI holds at most OGS_MAX_NUM_OF_DNN - 1 = 15 DNNs (both lib/proto/types.h).
 */
export const MAX_SLICES_PER_SMF_INFO = 7;
export const MAX_DNNS_PER_SMF_INFO_SLICE = 15;

// ---------------------------------------------------------------------------------------------------------
// Others

/**
 * SUCI home network public key identifiers: lib/sbi/context.c ogs_sbi_context_parse_hnet_config() keeps ids
 * OGS_HOME_NETWORK_PKI_VALUE_MIN-MAX (1-254, lib/sbi/context.h) and drops any other with "Invalid home
 * network configuration"; TS 23.003 §2.2B: 0-255, of which Open5GS uses 1-254.
 */
export const HNET_ID_RANGE = [1, 254] as const;
/** lib/pfcp/context.h OGS_MAX_NUM_OF_SUBNET: ogs_pfcp_subnet_add() asserts on the 17th `session` subnet. */
export const MAX_SESSION_SUBNETS = 16;
/** src/smf/context.c `dns`: a primary and a secondary per family; more are dropped ("Ignore DNS"). */
export const MAX_DNS_PER_FAMILY = 2;
/**
 * 4G bit rates: the HSS sends the UE and APN AMBRs in S6a Max-Requested-Bandwidth-UL/DL, Unsigned32 bits per
 * second (TS 29.272 §7.3.41), capped with ogs_uint64_to_uint32() (src/hss/hss-s6a-path.c,
 * lib/core/ogs-macros.h); the MME's apn_ambr_build() (lib/nas/common/types.c) also takes uint32_t bps.
 */
export const MAX_S6A_BANDWIDTH_BPS = 2 ** 32 - 1;

/**
 * Network names: src/amf/context.c and src/mme/mme-context.c `network_name` store strlen() in a uint8_t and
 * send each byte as one UCS-2 character, length octet size × 2 + 1 in a uint8_t (ogs_nas_network_name_t,
 * lib/nas/common/types.h): beyond 127 bytes the length wraps. Only ASCII comes out as the same characters.
 */
export const MAX_NETWORK_NAME_CHARS = 127;
/**
 * GUAMI / GUMMEI fields, stored without a range check: lib/proto/types.c ogs_amf_id_build() takes the AMF
 * region as uint8_t and the set as 10 bits (set1 << 2 | set2); src/mme/mme-context.h keeps mme_gid as uint16_t
 * and mme_code as uint8_t. Out-of-range values are silently truncated.
 */
export const ID_RANGES = {
  'amf_id.region': 255,
  'amf_id.set': 1023,
  mme_gid: 65_535,
  mme_code: 255,
} as const;

// ---------------------------------------------------------------------------------------------------------
// Rendered files

export type LimitIssue = { file: string; path: string; message: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * Every Open5GS limit broken by a set of rendered files (name → YAML text, as renderOpen5gsConfigs() gives
 * them). Duplicate `tai` keys are read the way Open5GS reads them: one served TAI list each.
 */
export function open5gsLimitIssues(files: ReadonlyMap<string, string>): LimitIssue[] {
  const issues: LimitIssue[] = [];
  for (const [file, text] of files) {
    // Only these NFs' files carry limited settings; skipping the rest keeps the property test fast.
    if (!/\b(amf|mme|smf|upf|udm)"?\s*:/.test(text)) continue;
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length > 0) {
      issues.push({ file, path: '', message: `not YAML: ${doc.errors[0]?.message}` });
      continue;
    }
    const add = (path: string, message: string) => void issues.push({ file, path, message });
    const root = doc.toJS() as unknown;
    if (!isObject(root)) continue;
    if (isObject(root.amf)) checkAmf(root.amf, taiKeys(doc.contents, 'amf'), add);
    if (isObject(root.mme)) checkMme(root.mme, taiKeys(doc.contents, 'mme'), add);
    if (isObject(root.smf)) checkSmf(root.smf, add);
    if (isObject(root.upf)) checkSessions(root.upf, 'upf', add);
    if (isObject(root.udm)) checkHnet(root.udm, add);
  }
  return issues;
}

type Add = (path: string, message: string) => void;

/** The served TAI lists of a rendered amf.yaml or mme.yaml: every `tai` key's value, in order. */
export function readTaiLists(text: string, nf: TaiNf): unknown[] {
  return taiKeys(parseDocument(text, { uniqueKeys: false }).contents, nf);
}

/** The values of every `tai` key of the NF's map, in order (the JS view keeps only the last one). */
function taiKeys(contents: unknown, nf: TaiNf): unknown[] {
  const keyIs = (p: { key: unknown }, name: string) => (p.key as { value?: unknown } | null)?.value === name;
  if (!isMap(contents)) return [];
  const nfMap = contents.items.find((p) => keyIs(p, nf))?.value;
  if (!isMap(nfMap)) return [];
  return nfMap.items
    .filter((p) => keyIs(p, 'tai'))
    .map((p): unknown => (isSeq(p.value) || isMap(p.value) ? (p.value.toJSON() as unknown) : null));
}

/** A scalar as text for a message; anything else as JSON. */
function text(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}

function checkTaiLists(nf: TaiNf, lists: unknown[], add: Add): void {
  if (lists.length > MAX_TAI_LISTS)
    add(
      `${nf}.tai`,
      `${lists.length} TAI lists; Open5GS asserts above ${MAX_TAI_LISTS} (OGS_MAX_NUM_OF_SUPPORTED_TA)`,
    );
  lists.forEach((list, i) => {
    const entries = asArray(list)
      .filter(isObject)
      .map((e) => ({ plmn: isObject(e.plmn_id), tac: e.tac }));
    for (const problem of taiListProblems(entries, nf)) add(`${nf}.tai (list ${i})`, problem);
  });
}

function checkNetworkName(nf: 'amf' | 'mme', value: unknown, add: Add): void {
  if (!isObject(value)) return;
  for (const key of ['full', 'short'] as const) {
    if (value[key] === undefined) continue;
    const name = text(value[key]);
    if (Buffer.byteLength(name) > MAX_NETWORK_NAME_CHARS || !/^[\x20-\x7e]*$/.test(name))
      add(
        `${nf}.network_name.${key}`,
        `network name of ${Buffer.byteLength(name)} bytes: Open5GS sends each byte as one UCS-2 character, so only printable ASCII up to ${MAX_NETWORK_NAME_CHARS} bytes arrives intact`,
      );
  }
}

function checkId(path: string, value: unknown, max: number, add: Add): void {
  if (value === undefined) return;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 0 && n <= max))
    add(path, `${text(value)} is outside 0-${max}; Open5GS truncates it silently`);
}

function checkAmf(amf: Json, taiLists: unknown[], add: Add): void {
  checkNetworkName('amf', amf.network_name, add);
  asArray(amf.guami)
    .filter(isObject)
    .forEach((g, i) => {
      const id = isObject(g.amf_id) ? g.amf_id : {};
      checkId(`amf.guami[${i}].amf_id.region`, id.region, ID_RANGES['amf_id.region'], add);
      checkId(`amf.guami[${i}].amf_id.set`, id.set, ID_RANGES['amf_id.set'], add);
    });
  const t3512 = Number((amf.time as Json | undefined)?.t3512 && ((amf.time as Json).t3512 as Json).value);
  const problem = timerProblem('GPRS Timer 3', 't3512', t3512);
  if (problem) add('amf.time.t3512.value', problem);
  checkTaiLists('amf', taiLists, add);
}

function checkMme(mme: Json, taiLists: unknown[], add: Add): void {
  checkNetworkName('mme', mme.network_name, add);
  asArray(mme.gummei)
    .filter(isObject)
    .forEach((g, i) => {
      for (const key of ['mme_gid', 'mme_code'] as const)
        for (const v of asArray(g[key])) checkId(`mme.gummei[${i}].${key}`, v, ID_RANGES[key], add);
    });
  const t3412 = (mme.time as Json | undefined)?.t3412 as Json | undefined;
  // src/mme/mme-context.c mme_context_prepare() defaults t3412 to 540 s when the file has none.
  const problem = timerProblem('GPRS Timer', 't3412', Number(t3412 ? t3412.value : 540));
  if (problem) add('mme.time.t3412.value', problem);
  checkTaiLists('mme', taiLists, add);
}

function checkSmf(smf: Json, add: Add): void {
  const infos = asArray(smf.info).filter(isObject);
  infos.forEach((info, i) => {
    const slices = asArray(info.s_nssai).filter(isObject);
    if (slices.length > MAX_SLICES_PER_SMF_INFO)
      add(
        `smf.info[${i}].s_nssai`,
        `${slices.length} S-NSSAIs; the SMF asserts above ${MAX_SLICES_PER_SMF_INFO} per info entry (OGS_MAX_NUM_OF_SLICE - 1)`,
      );
    slices.forEach((s, j) => {
      const dnns = asArray(s.dnn).length;
      if (dnns > MAX_DNNS_PER_SMF_INFO_SLICE)
        add(
          `smf.info[${i}].s_nssai[${j}].dnn`,
          `${dnns} DNNs; the SMF asserts above ${MAX_DNNS_PER_SMF_INFO_SLICE} per S-NSSAI (OGS_MAX_NUM_OF_DNN - 1)`,
        );
    });
  });
  checkSessions(smf, 'smf', add);
  const dns = asArray(smf.dns).map(String);
  for (const family of [4, 6] as const) {
    const count = dns.filter((d) => (family === 6) === d.includes(':')).length;
    if (count > MAX_DNS_PER_FAMILY)
      add(
        'smf.dns',
        `${count} IPv${family} DNS servers; Open5GS uses the first ${MAX_DNS_PER_FAMILY} and ignores the rest`,
      );
  }
  // src/smf/context.c `mtu`: ogs_assert(self.mtu) — atoi() of the value must be non-zero.
  if (smf.mtu !== undefined && !(Number(smf.mtu) >= 1))
    add('smf.mtu', `mtu ${text(smf.mtu)}: the SMF asserts on 0`);
}

function checkSessions(nf: Json, name: string, add: Add): void {
  const sessions = asArray(nf.session).length;
  if (sessions > MAX_SESSION_SUBNETS)
    add(
      `${name}.session`,
      `${sessions} subnets; Open5GS asserts above ${MAX_SESSION_SUBNETS} (OGS_MAX_NUM_OF_SUBNET)`,
    );
}

function checkHnet(udm: Json, add: Add): void {
  asArray(udm.hnet)
    .filter(isObject)
    .forEach((k, i) => {
      const id = Number(k.id);
      if (!(Number.isInteger(id) && id >= HNET_ID_RANGE[0] && id <= HNET_ID_RANGE[1]))
        add(
          `udm.hnet[${i}].id`,
          `home network key id ${text(k.id)}: Open5GS only loads ids ${HNET_ID_RANGE[0]}-${HNET_ID_RANGE[1]}`,
        );
    });
}
