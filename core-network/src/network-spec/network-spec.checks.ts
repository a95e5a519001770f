import {
  firstSeen,
  newFindings,
  sliceKey,
  sliceLabel,
  type CheckResult,
  type Findings,
} from './check-support.js';
import { checkDiameter, checkSbi } from './diameter-checks.js';
import { checkDnn, checkOverlaps, checkSharedSmfSettings } from './dnn-checks.js';
import type { NetworkSpec, SliceRef } from './network-spec.schema.js';
import { checkSecurity } from './security-checks.js';
import { MAX_TAIS_PER_LIST } from '../open5gs/config/open5gs-limits.js';
import { checkUserPlane } from './user-plane-checks.js';

export { sliceKey, sliceLabel, type CheckIssue, type CheckResult } from './check-support.js';
export { defaultGateway, ipv4PoolCapacity } from './dnn-checks.js';
export { weakSecurity } from './security-checks.js';

/**
 * Rules that span several fields of a schema-valid spec. Each finding names the path an operator must fix;
 * errors block the spec, warnings are returned with it.
 */

/** LTE carries a 16-bit TAC (TS 24.301 §9.9.3.32). */
const MAX_LTE_TAC = 65_535;

type SpecKey = keyof NetworkSpec;
type Check = (spec: NetworkSpec, f: Findings) => void;

/** Each check with the top-level sections it reads: it runs when those sections passed the schema. */
const CHECKS: readonly [readonly SpecKey[], Check][] = [
  [['tacs'], checkTacs],
  [['slices', 'dnns'], checkSlices],
  [['dnns'], checkDnnNames],
  [['slices', 'dnns', 'expectedUeCount'], (spec, f) => spec.dnns.forEach((d, i) => checkDnn(spec, d, i, f))],
  [['dnns'], checkOverlaps],
  [['dnns'], checkSharedSmfSettings],
  [['security'], checkSecurity],
  [['nf'], checkEndpoints],
  [['nf'], checkHomeNetworkKeys],
  [['plmn', 'diameter'], checkDiameter],
  [['plmn', 'sbi'], checkSbi],
  [['nf', 'dnns', 'tacs'], checkUserPlane],
];

/**
 * Runs every check on a schema-valid spec. Given `valid` (the top-level sections that passed the schema when
 * others did not), `spec` is partial and only the checks whose sections are all valid run, so a format error
 * in one section does not hide a logic error in another.
 */
export function crossCheck(spec: NetworkSpec, valid?: ReadonlySet<string>): CheckResult {
  const f = newFindings();
  for (const [needs, check] of CHECKS) if (!valid || needs.every((k) => valid.has(k))) check(spec, f);
  return { errors: f.errors, warnings: f.warnings };
}

function checkTacs(spec: NetworkSpec, f: Findings): void {
  firstSeen(spec.tacs, String, (i, first) =>
    f.error(`tacs[${i}]`, `TAC ${spec.tacs[i]} is listed twice (first at tacs[${first}])`),
  );
  spec.tacs.forEach((tac, i) => {
    if (tac > MAX_LTE_TAC)
      f.warn(
        `tacs[${i}]`,
        `TAC ${tac} does not fit LTE's 16 bits; it is served by the AMF (5G) only, not the MME`,
      );
  });
  if (spec.tacs.every((tac) => tac > MAX_LTE_TAC))
    f.error('tacs', `the MME (4G) needs at least one TAC of 0-${MAX_LTE_TAC}`);
  // A NAS TAI list holds at most 16 TAIs (TS 24.501 §9.11.3.9, TS 24.301 §9.9.3.33), so the renderer serves
  // longer TAC lists as several lists; src/amf/context.c amf_context_parse_config() also puts only the first
  // OGS_MAX_NUM_OF_TAI TACs in the AMF's NRF profile ("Maximum number of TAI reached").
  if (spec.tacs.length > MAX_TAIS_PER_LIST)
    f.warn(
      'tacs',
      `${spec.tacs.length} TACs are served as ${Math.ceil(spec.tacs.length / MAX_TAIS_PER_LIST)} registration areas of up to ${MAX_TAIS_PER_LIST} TACs in the order listed (a NAS TAI list holds ${MAX_TAIS_PER_LIST}, TS 24.501 §9.11.3.9): list neighbouring TACs together, as a UE re-registers when it leaves its area; the AMF announces only the first ${MAX_TAIS_PER_LIST} to the NRF`,
    );
}

function checkSlices(spec: NetworkSpec, f: Findings): void {
  firstSeen(spec.slices, sliceKey, (i, first) =>
    f.error(
      `slices[${i}]`,
      `slice ${sliceLabel(spec.slices[i] as SliceRef)} is declared twice (first at slices[${first}])`,
    ),
  );
  const offered = new Set(spec.dnns.flatMap((d) => d.slices.map(sliceKey)));
  spec.slices.forEach((s, i) => {
    if (!offered.has(sliceKey(s)))
      f.warn(`slices[${i}]`, `no DNN is offered in slice ${sliceLabel(s)}; UEs in it cannot open a session`);
  });
}

function checkDnnNames(spec: NetworkSpec, f: Findings): void {
  // DNNs compare case-insensitively (TS 23.003 §9.1).
  firstSeen(
    spec.dnns,
    (d) => d.name.toLowerCase(),
    (i, first) =>
      f.error(`dnns[${i}].name`, `DNN "${spec.dnns[i]?.name}" is declared twice (first at dnns[${first}])`),
  );
}

type Transport = 'tcp' | 'udp' | 'sctp';
const TRANSPORT: Record<string, Transport> = {
  sbi: 'tcp',
  metrics: 'tcp',
  ngap: 'sctp',
  s1ap: 'sctp',
  pfcp: 'udp',
  gtpc: 'udp',
  gtpu: 'udp',
};

/** Two NFs binding the same address, port and transport: the second one would fail to start. */
function checkEndpoints(spec: NetworkSpec, f: Findings): void {
  const taken = new Map<string, string>();
  // A list (several UPFs or SGW-Us) contributes each node's endpoints: nf.upf[1].pfcp.
  const nodes = Object.entries(spec.nf).flatMap(([nf, value]): [string, unknown][] =>
    Array.isArray(value) ? value.map((v: unknown, i) => [`${nf}[${i}]`, v]) : [[nf, value]],
  );
  for (const [nf, interfaces] of nodes) {
    for (const [name, value] of Object.entries(interfaces as Record<string, unknown>)) {
      const transport = TRANSPORT[name];
      if (!transport || typeof value !== 'object' || value === null) continue;
      const { address, port } = value as { address: string; port: number };
      const key = `${transport}|${address.toLowerCase()}|${port}`;
      const path = `nf.${nf}.${name}`;
      const owner = taken.get(key);
      if (owner) f.error(path, `${address} port ${port}/${transport} is already used by ${owner}`);
      else taken.set(key, path);
    }
  }
}

function checkHomeNetworkKeys(spec: NetworkSpec, f: Findings): void {
  const keys = spec.nf.udm.hnet;
  firstSeen(
    keys,
    (k) => String(k.id),
    (i, first) =>
      f.error(
        `nf.udm.hnet[${i}].id`,
        `home network key id ${keys[i]?.id} is used twice (first at hnet[${first}])`,
      ),
  );
}
