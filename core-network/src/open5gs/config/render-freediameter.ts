import {
  DIAMETER_NFS,
  DIAMETER_PEER,
  diameterIdentity,
  diameterRealm,
  type DiameterNf,
} from '../../network-spec/node-names.js';
import {
  DIAMETER_PORT,
  DIAMETER_SECURE_PORT,
  type NetworkSpec,
} from '../../network-spec/network-spec.schema.js';
import type { RenderOptions } from './render-common.js';

/**
 * The freeDiameter configuration of each 4G NF that speaks Diameter (`freeDiameter:` in mme/hss/smf/pcrf.yaml
 * points at it), in the form of Open5GS 2.7.7's configs/freeDiameter/*.conf.in. Pure and deterministic.
 *
 * Plain (diameter.tls false): no TLS_Cred and `SecPort = 0;`, which is what makes freeDiameter run without TLS
 * (libfdcore/config.c) — the samples instead name certificate files that must exist even though every peer is
 * No_TLS. With TLS: RFC 6733 TLS from the first byte on the secure port, `Port = 0;` so nothing is accepted in
 * the clear, and each peer is checked against its Diameter identity (gnutls_x509_crt_check_hostname), which
 * the network CA's certificates carry as a DNS SAN.
 */

export const FREE_DIAMETER_CONFIG_FILES: readonly string[] = DIAMETER_NFS.map((nf) => `${nf}.conf`);

/** The extensions of the samples, in their order: the message dumper and the dictionaries S6a and Gx need. */
const EXTENSIONS: readonly (readonly [string, string?])[] = [
  ['dbg_msg_dumps.fdx', '0x8888'],
  ['dict_rfc5777.fdx'],
  ['dict_mip6i.fdx'],
  ['dict_nasreq.fdx'],
  ['dict_nas_mipv6.fdx'],
  ['dict_dcca.fdx'],
  ['dict_dcca_3gpp.fdx'],
];

/** A freeDiameter string: quotes and backslashes cannot occur (the values are FQDNs, IPs and paths we build). */
const q = (s: string): string => {
  if (/["\\\n]/.test(s)) throw new Error(`refusing to write ${JSON.stringify(s)} into a freeDiameter string`);
  return `"${s}"`;
};

export function freeDiameterConfig(
  spec: NetworkSpec,
  nf: DiameterNf,
  options: Pick<RenderOptions, 'freeDiameterExtensionDir' | 'tlsDir'>,
): string {
  const d = spec.diameter;
  const self = d[nf];
  const peerNf = DIAMETER_PEER[nf];
  const peer = d[peerNf];
  const lines = [`Identity = ${q(diameterIdentity(spec, nf))};`, `Realm = ${q(diameterRealm(spec))};`];
  lines.push(`ListenOn = ${q(self.address)};`);
  if (d.tls) {
    lines.push('Port = 0;');
    if (self.secPort !== DIAMETER_SECURE_PORT) lines.push(`SecPort = ${self.secPort};`);
  } else {
    if (self.port !== DIAMETER_PORT) lines.push(`Port = ${self.port};`);
    lines.push('SecPort = 0;');
  }
  if (!d.sctp) lines.push('No_SCTP;');
  if (d.tls) {
    const dir = options.tlsDir;
    lines.push(`TLS_Cred = ${q(`${dir}/${nf}.crt`)}, ${q(`${dir}/${nf}.key`)};`);
    lines.push(`TLS_CA = ${q(`${dir}/ca.crt`)};`);
  }
  lines.push('NoRelay;');
  for (const [file, conf] of EXTENSIONS) {
    const path = q(`${options.freeDiameterExtensionDir}/${file}`);
    lines.push(conf === undefined ? `LoadExtension = ${path};` : `LoadExtension = ${path} : ${q(conf)};`);
  }
  const params = [`ConnectTo = ${q(peer.address)};`];
  if (d.tls) {
    if (peer.secPort !== DIAMETER_SECURE_PORT) params.push(`Port = ${peer.secPort};`);
  } else {
    params.push('No_TLS;');
    if (peer.port !== DIAMETER_PORT) params.push(`Port = ${peer.port};`);
  }
  lines.push(`ConnectPeer = ${q(diameterIdentity(spec, peerNf))} { ${params.join(' ')} };`);
  return `${lines.join('\n')}\n`;
}

/** `mme.conf` … `pcrf.conf` → content (without the generated-by header; render.ts adds it). */
export function freeDiameterConfigs(
  spec: NetworkSpec,
  options: Pick<RenderOptions, 'freeDiameterExtensionDir' | 'tlsDir'>,
): Map<string, string> {
  return new Map(DIAMETER_NFS.map((nf) => [`${nf}.conf`, freeDiameterConfig(spec, nf, options)]));
}
