import { isIP } from 'node:net';
import type { NetworkSpec } from './network-spec.schema.js';

/**
 * The names the core's nodes go by, derived from the PLMN as 3GPP does when the spec does not set them:
 * Diameter identities and realm of the EPC (TS 23.003 §19.4.2.4) and FQDNs of the 5GC's NFs (TS 23.003 §28.2).
 * The MNC is always three digits in these names (a two-digit MNC gets a leading zero, §19.4.2.4).
 */

export const DIAMETER_NFS = ['mme', 'hss', 'smf', 'pcrf'] as const;
export type DiameterNf = (typeof DIAMETER_NFS)[number];

/** The Diameter links Open5GS uses: S6a MME ↔ HSS, Gx SMF (PGW-C) ↔ PCRF. */
export const DIAMETER_LINKS: readonly (readonly [DiameterNf, DiameterNf, string])[] = [
  ['mme', 'hss', 'S6a'],
  ['smf', 'pcrf', 'Gx'],
];

export const DIAMETER_PEER: Record<DiameterNf, DiameterNf> = {
  mme: 'hss',
  hss: 'mme',
  smf: 'pcrf',
  pcrf: 'smf',
};

/** The NFs that speak SBI (the AMF… BSF and the SCP/NRF), in render order. */
export const SBI_NFS = ['amf', 'smf', 'nrf', 'scp', 'ausf', 'udm', 'udr', 'pcf', 'nssf', 'bsf'] as const;
export type SbiNf = (typeof SBI_NFS)[number];

const plmnLabels = (spec: Pick<NetworkSpec, 'plmn'>) =>
  `mnc${spec.plmn.mnc.padStart(3, '0')}.mcc${spec.plmn.mcc}.3gppnetwork.org`;

/** `epc.mnc001.mcc001.3gppnetwork.org`, or the spec's realm. */
export function diameterRealm(spec: Pick<NetworkSpec, 'plmn' | 'diameter'>): string {
  return spec.diameter.realm ?? `epc.${plmnLabels(spec)}`;
}

/** `mme.epc.mnc001.mcc001.3gppnetwork.org`, or the spec's identity for that NF. */
export function diameterIdentity(spec: Pick<NetworkSpec, 'plmn' | 'diameter'>, nf: DiameterNf): string {
  return spec.diameter[nf].identity ?? `${nf}.${diameterRealm(spec)}`;
}

/** `5gc.mnc001.mcc001.3gppnetwork.org`, or the spec's SBI domain. */
export function sbiDomain(spec: Pick<NetworkSpec, 'plmn' | 'sbi'>): string {
  return spec.sbi.domain ?? `5gc.${plmnLabels(spec)}`;
}

/** `nrf.5gc.mnc001.mcc001.3gppnetwork.org`. */
export function sbiFqdn(spec: Pick<NetworkSpec, 'plmn' | 'sbi'>, nf: SbiNf): string {
  return `${nf}.${sbiDomain(spec)}`;
}

/** The SBI endpoint of an NF. */
export function sbiEndpoint(spec: NetworkSpec, nf: SbiNf): { address: string; port: number } {
  return spec.nf[nf].sbi;
}

/**
 * What a certificate for an NF must name: its FQDNs (SBI and Diameter, as used), and its addresses (an IP SAN
 * for peers that dial an address). Lower case, no duplicates, FQDNs first.
 */
export function certificateNames(
  spec: NetworkSpec,
  nf: string,
): { dnsNames: string[]; ipAddresses: string[] } {
  const dns = new Set<string>();
  const ips = new Set<string>();
  const address = (a: string) => (isIP(a) !== 0 ? ips.add(a) : dns.add(a.toLowerCase()));
  if (spec.sbi.tls && (SBI_NFS as readonly string[]).includes(nf)) {
    dns.add(sbiFqdn(spec, nf as SbiNf));
    address(sbiEndpoint(spec, nf as SbiNf).address);
  }
  if (spec.diameter.tls && (DIAMETER_NFS as readonly string[]).includes(nf)) {
    dns.add(diameterIdentity(spec, nf as DiameterNf));
    address(spec.diameter[nf as DiameterNf].address);
  }
  return { dnsNames: [...dns], ipAddresses: [...ips] };
}

/** The NFs that need a certificate for this spec: SBI NFs with sbi.tls, Diameter NFs with diameter.tls. */
export function nfsNeedingCertificates(spec: NetworkSpec): string[] {
  const nfs = new Set<string>();
  if (spec.sbi.tls) SBI_NFS.forEach((nf) => nfs.add(nf));
  if (spec.diameter.tls) DIAMETER_NFS.forEach((nf) => nfs.add(nf));
  return [...nfs];
}
