import { isIPv6 } from 'node:net';
import {
  STANDARD_PORTS,
  type Endpoint,
  type InterfaceKind,
  type NetworkSpec,
} from '../../network-spec/network-spec.schema.js';

/** Where the Open5GS hosts keep things; Debian/Ubuntu package paths by default. */
export type RenderOptions = {
  /** MongoDB of the HSS/PCRF/PCF/UDR. Credentials in it end up in those files: mind their permissions. */
  dbUri: string;
  logDir: string;
  configDir: string;
  freeDiameterDir: string;
};

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  dbUri: 'mongodb://localhost/open5gs',
  logDir: '/var/log/open5gs',
  configDir: '/etc/open5gs',
  freeDiameterDir: '/etc/freeDiameter',
};

export type YamlMap = Record<string, unknown>;
export type RenderContext = { spec: NetworkSpec; options: RenderOptions; maxUe: number };

/** Open5GS's own default, far too small for the fleet. */
export const OPEN5GS_DEFAULT_MAX_UE = 1024;
/**
 * Headroom over the expected UE count: a UE that re-registers, or moves between 4G and 5G, briefly holds two
 * contexts, and the session/IP pools Open5GS derives from max.ue must not run dry at the peak.
 */
const MAX_UE_HEADROOM = 1.2;

/** `global.max.ue`: expected UEs plus headroom, rounded up to a multiple of 1024, never below the default. */
export function maxUeFor(expectedUes: number): number {
  const wanted = Math.ceil((expectedUes * MAX_UE_HEADROOM) / 1024) * 1024;
  return Math.max(OPEN5GS_DEFAULT_MAX_UE, wanted);
}

/**
 * A `server:` entry. SBI and metrics always name the port (as Open5GS's defaults do); others only when
 * non-standard. `advertise` (Open5GS 2.7: sbi, pfcp and gtpu servers) when the spec gives one.
 */
export function serverEntry(e: Endpoint, kind: InterfaceKind): YamlMap {
  const always = kind === 'sbi' || kind === 'metrics';
  return {
    address: e.address,
    ...(e.advertise === undefined ? {} : { advertise: e.advertise }),
    ...(always || e.port !== STANDARD_PORTS[kind] ? { port: e.port } : {}),
  };
}

/** Where a peer reaches an endpoint: its advertised address (NAT) when it has one, else the bound one. */
export function reachable(e: Endpoint): Endpoint {
  return { address: e.advertise ?? e.address, port: e.port };
}

export function servers(e: Endpoint, kind: InterfaceKind): YamlMap {
  return { server: [serverEntry(e, kind)] };
}

/** A peer to dial (PFCP/GTP-C client lists), at its advertised address if any: port only when non-standard. */
export function peerEntry(e: Endpoint, kind: InterfaceKind): YamlMap {
  const { address, port } = reachable(e);
  return port === STANDARD_PORTS[kind] ? { address } : { address, port };
}

/** The URI a client dials, at the advertised address if any. */
export function httpUri(e: Endpoint): string {
  const { address, port } = reachable(e);
  const host = isIPv6(address) ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/** SBI server plus indirect communication through the SCP (Open5GS 2.7's default model). */
export function sbiViaScp(sbi: Endpoint, ctx: RenderContext): YamlMap {
  return { server: [serverEntry(sbi, 'sbi')], client: { scp: [{ uri: httpUri(ctx.spec.nf.scp.sbi) }] } };
}

export function plmnId(spec: NetworkSpec): YamlMap {
  return { mcc: spec.plmn.mcc, mnc: spec.plmn.mnc };
}

/** The keys every file starts with; `db_uri` first, where Open5GS's own files put it. */
export function preamble(nf: string, ctx: RenderContext, withDatabase = false): YamlMap {
  // `nf` names the log: upf, or upf-<name> when several UPFs share a host.
  return {
    ...(withDatabase ? { db_uri: ctx.options.dbUri } : {}),
    logger: { file: { path: `${ctx.options.logDir}/${nf}.log` } },
    global: { max: { ue: ctx.maxUe } },
  };
}

/** Open5GS reads at most 16 TACs per TAI entry, so longer lists are split into several entries. */
export function taiEntries(spec: NetworkSpec, tacs: readonly number[]): YamlMap[] {
  const entries: YamlMap[] = [];
  for (let i = 0; i < tacs.length; i += 16) {
    const chunk = tacs.slice(i, i + 16);
    entries.push({ plmn_id: plmnId(spec), tac: chunk.length === 1 ? chunk[0] : chunk });
  }
  return entries;
}

/**
 * A `pfcp.client.upf|sgwu` entry: the node's PFCP address plus the selection keys Open5GS 2.7 reads there
 * (lib/pfcp/context.c ogs_pfcp_context_parse_config): `dnn` (or its alias `apn`, which sgwc.yaml's sample
 * uses) and `tac`.
 */
export function userPlanePeer(
  node: { pfcp: Endpoint; dnns?: string[] | undefined; tacs?: number[] | undefined },
  dnnKey: 'dnn' | 'apn',
): YamlMap {
  return {
    ...peerEntry(node.pfcp, 'pfcp'),
    ...(node.dnns === undefined ? {} : { [dnnKey]: node.dnns.length === 1 ? node.dnns[0] : node.dnns }),
    ...(node.tacs === undefined ? {} : { tac: node.tacs.length === 1 ? node.tacs[0] : node.tacs }),
  };
}

export function sNssai(s: { sst: number; sd?: string | undefined }): YamlMap {
  return s.sd === undefined ? { sst: s.sst } : { sst: s.sst, sd: s.sd };
}
