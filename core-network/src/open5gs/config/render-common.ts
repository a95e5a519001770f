import { isIP, isIPv6 } from 'node:net';
import { sbiFqdn, type SbiNf } from '../../network-spec/node-names.js';
import {
  STANDARD_PORTS,
  type Endpoint,
  type InterfaceKind,
  type NetworkSpec,
} from '../../network-spec/network-spec.schema.js';
import { MAX_TAIS_PER_LIST } from './open5gs-limits.js';

/** Where the Open5GS hosts keep things; Debian/Ubuntu package paths by default. */
export type RenderOptions = {
  /** MongoDB of the HSS/PCRF/PCF/UDR. Credentials in it end up in those files: mind their permissions. */
  dbUri: string;
  logDir: string;
  configDir: string;
  freeDiameterDir: string;
  /** freeDiameter's extensions (dict_*.fdx): `<libdir>/freeDiameter` of the Open5GS install. */
  freeDiameterExtensionDir: string;
  /** Where each host keeps `<nf>.crt`, `<nf>.key` and `ca.crt` (`pakawaaz open5gs certs` writes them). */
  tlsDir: string;
};

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  dbUri: 'mongodb://localhost/open5gs',
  logDir: '/var/log/open5gs',
  configDir: '/etc/open5gs',
  freeDiameterDir: '/etc/freeDiameter',
  // Debian/Ubuntu's open5gs packages: libdir /usr/lib/x86_64-linux-gnu (a source install: <prefix>/lib/<triplet>).
  freeDiameterExtensionDir: '/usr/lib/x86_64-linux-gnu/freeDiameter',
  tlsDir: '/etc/open5gs/tls',
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

/**
 * How an NF reaches another NF's SBI. Plain: `http://<address>:<port>`. With sbi.tls: `https://<fqdn>:<port>`
 * (Open5GS refuses https to an address, lib/sbi/context.c) plus `resolve: <address>` where Open5GS reads it
 * (the nrf/scp client lists), so the name needs no DNS there; `nsi` URIs take no `resolve`.
 */
export function sbiUri(ctx: RenderContext, nf: SbiNf): string {
  const e = ctx.spec.nf[nf].sbi;
  return ctx.spec.sbi.tls ? `https://${sbiFqdn(ctx.spec, nf)}:${e.port}` : httpUri(e);
}

export function sbiClient(ctx: RenderContext, nf: SbiNf): YamlMap {
  const { address } = ctx.spec.nf[nf].sbi;
  return ctx.spec.sbi.tls && isIP(address) !== 0
    ? { uri: sbiUri(ctx, nf), resolve: address }
    : { uri: sbiUri(ctx, nf) };
}

/**
 * The SBI server. With sbi.tls it is named by its FQDN, as in Open5GS's "HTTPS scheme with TLS" samples: the
 * NF binds to what the name resolves to and registers the name with the NRF, so every host must resolve the
 * NF FQDNs (DNS or /etc/hosts; `pakawaaz open5gs certs` writes the hosts lines).
 */
export function sbiServer(ctx: RenderContext, nf: SbiNf): YamlMap {
  const e = ctx.spec.nf[nf].sbi;
  return ctx.spec.sbi.tls
    ? { server: [{ address: sbiFqdn(ctx.spec, nf), port: e.port }] }
    : servers(e, 'sbi');
}

/**
 * `default.tls` of an SBI NF with sbi.tls: https both ways and mutual TLS (the sample's "Add client TLS
 * verification"): the server asks for a certificate of the network CA, the client presents its own.
 */
export function sbiTlsDefaults(ctx: RenderContext, nf: SbiNf): YamlMap {
  if (!ctx.spec.sbi.tls) return {};
  const dir = ctx.options.tlsDir;
  return {
    default: {
      tls: {
        server: {
          scheme: 'https',
          private_key: `${dir}/${nf}.key`,
          cert: `${dir}/${nf}.crt`,
          verify_client: true,
          verify_client_cacert: `${dir}/ca.crt`,
        },
        client: {
          scheme: 'https',
          cacert: `${dir}/ca.crt`,
          client_private_key: `${dir}/${nf}.key`,
          client_cert: `${dir}/${nf}.crt`,
        },
      },
    },
  };
}

/** SBI server plus indirect communication through the SCP (Open5GS 2.7's default model). */
export function sbiViaScp(nf: SbiNf, ctx: RenderContext): YamlMap {
  return { ...sbiServer(ctx, nf), client: { scp: [sbiClient(ctx, 'scp')] } };
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

/**
 * A key written once per value, in place: Open5GS reads each `tai:` key of the AMF and MME as one served TAI
 * list (src/amf/context.c, src/mme/mme-context.c; duplicate keys are how its own sample amf.yaml declares
 * several), which a plain object cannot hold.
 */
export class RepeatedKey {
  constructor(readonly values: readonly unknown[]) {}
}

/**
 * The served TAI lists: TACs in the order listed, 16 per list. Each list is one registration area, sent whole
 * to the UE in the NAS TAI list IE, which holds at most 16 TAIs (TS 24.501 §9.11.3.9, TS 24.301 §9.9.3.33);
 * a list of 16 5GS TACs takes 52 octets of the 112 the IE holds (open5gs-limits.ts).
 */
export function taiLists(spec: NetworkSpec, tacs: readonly number[]): RepeatedKey {
  const lists: YamlMap[][] = [];
  for (let i = 0; i < tacs.length; i += MAX_TAIS_PER_LIST) {
    const chunk = tacs.slice(i, i + MAX_TAIS_PER_LIST);
    lists.push([{ plmn_id: plmnId(spec), tac: chunk.length === 1 ? chunk[0] : chunk }]);
  }
  return new RepeatedKey(lists);
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
