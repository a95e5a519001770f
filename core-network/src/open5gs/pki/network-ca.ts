// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  type JsonGeneralName,
} from '@peculiar/x509';
import type { KeyService } from '@pakawaaz/platform';
import type { NetworkSpec } from '../../network-spec/network-spec.schema.js';
import { certificateNames, nfsNeedingCertificates, SBI_NFS, sbiFqdn } from '../../network-spec/node-names.js';
import {
  arrayBufferOf,
  ES256_SIGNER_KEY,
  ES256_SIGNING_ALGORITHM,
  signerCrypto,
  type CaSigner,
} from '@pakawaaz/platform';

/*
 * The network CA: the internal CA of the core's TLS (SBI between the 5GC NFs, Diameter between the 4G NFs).
 * Its ES256 key is a signer of the kernel key service (`network-ca`: a key file read once, or an HSM object);
 * the private key never enters this module, which signs through a `CaSigner`. Time and randomness are
 * parameters. NF keys are fresh P-256 keys made here and handed to the caller only to be written (0600).
 *
 * The CA certificate is a function of the key: serial, subject, validity and extensions derive from the public
 * key, so every run re-creates the same certificate (only ECDSA's random signature bytes differ) and no
 * database row is needed. A new key (a rotation) is a new CA with a new name.
 */

/** The key service's name of the network CA key. */
export const NETWORK_CA_KEY = 'network-ca';
/** ECDSA P-256 with SHA-256 over `data`; the signature as r ‖ s (WebCrypto/JWS form, as the key service signs). */
export type { CaSigner };
export type NetworkCa = { certificate: X509Certificate; signer: CaSigner };

const DAY = 86_400_000;
/** Fixed validity of every network CA certificate (so that it is the same certificate on every run). */
const CA_NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const CA_NOT_AFTER = new Date('2045-01-01T00:00:00Z');
export const DEFAULT_NF_CERT_DAYS = 825;
export const MAX_NF_CERT_DAYS = 3650;
const SIGN = ES256_SIGNING_ALGORITHM;
const CA_KEY = ES256_SIGNER_KEY;
const ab = arrayBufferOf;

/**
 * Opens the network CA: its ES256 signer from the key service (created on first use: 0600 in the keys
 * folder, or an object in the HSM) and the CA certificate of that key.
 */
export async function openNetworkCa(keys: KeyService, keyFile: string): Promise<NetworkCa> {
  const signer = await keys.useSigner({ name: NETWORK_CA_KEY, file: keyFile, alg: 'ES256' });
  const spki = createPublicKey({ key: signer.publicJwk, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
  return networkCaCertificate(signer, spki);
}

/** A positive 16-byte serial without a leading zero octet (RFC 5280 §4.1.2.2), hex. */
function serialFrom(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes.subarray(0, 16));
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(b).toString('hex');
}

/** `CN=Pakawaaz Network CA 1a2b3c4d, O=Pakawaaz`: the key's fingerprint tells the CAs of two keys apart. */
export function networkCaName(publicKeySpki: Uint8Array): string {
  const id = createHash('sha256').update(publicKeySpki).digest('hex').slice(0, 8);
  return `CN=Pakawaaz Network CA ${id}, O=Pakawaaz`;
}

/** The CA certificate of a key: self-signed, issues end-entity certificates only (pathLen 0). */
export async function networkCaCertificate(signer: CaSigner, publicKeySpki: Uint8Array): Promise<NetworkCa> {
  const publicKey = ab(publicKeySpki);
  const name = networkCaName(publicKeySpki);
  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: serialFrom(createHash('sha256').update('network-ca').update(publicKeySpki).digest()),
      subject: name,
      issuer: name,
      notBefore: CA_NOT_BEFORE,
      notAfter: CA_NOT_AFTER,
      publicKey,
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(publicKey),
      ],
    },
    signerCrypto(signer),
  );
  return { certificate, signer };
}

export type NfCertificateRequest = {
  publicKeySpki: Uint8Array;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  now: Date;
  validityDays: number;
};

/**
 * An NF's certificate: one for both ends of its links (Open5GS's samples use one key and certificate as TLS
 * server and client; freeDiameter likewise), so EKU serverAuth and clientAuth. CN and the first DNS SAN are
 * its main name; verifiers (OpenSSL for SBI, GnuTLS in freeDiameter) check the SAN.
 */
export async function issueNfCertificate(ca: NetworkCa, r: NfCertificateRequest): Promise<X509Certificate> {
  if (r.dnsNames.length === 0) throw new Error('an NF certificate needs at least one DNS name');
  if (!(r.validityDays >= 1 && r.validityDays <= MAX_NF_CERT_DAYS))
    throw new Error(`validity must be 1-${MAX_NF_CERT_DAYS} days`);
  const names: JsonGeneralName[] = [
    ...r.dnsNames.map((value): JsonGeneralName => ({ type: 'dns', value })),
    ...r.ipAddresses.map((value): JsonGeneralName => {
      if (isIP(value) === 0) throw new Error(`${value} is not an IP address`);
      return { type: 'ip', value };
    }),
  ];
  const notAfter = new Date(
    Math.min(r.now.getTime() + r.validityDays * DAY, ca.certificate.notAfter.getTime()),
  );
  return X509CertificateGenerator.create(
    {
      serialNumber: serialFrom(randomBytes(16)),
      subject: new Name([{ CN: [r.dnsNames[0]!] }]),
      issuer: ca.certificate.subjectName,
      notBefore: new Date(r.now.getTime() - 60_000),
      notAfter,
      publicKey: ab(r.publicKeySpki),
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
        new SubjectAlternativeNameExtension(names),
        await SubjectKeyIdentifierExtension.create(ab(r.publicKeySpki)),
        await AuthorityKeyIdentifierExtension.create(ca.certificate.publicKey),
      ],
    },
    signerCrypto(ca.signer),
  );
}

/** One file of a TLS folder; `secret` files (private keys) are written 0600 and never printed. */
export type TlsFile = { name: string; content: string; secret: boolean };

/**
 * Everything the Open5GS hosts need for a spec's TLS: `ca.crt`, `<nf>.crt` and `<nf>.key` for each NF that
 * uses TLS (the render's `tlsDir` names them), and `hosts` — the /etc/hosts lines of the SBI FQDNs (https
 * needs names, and an NF's own server name must resolve on its host).
 */
export async function issueNetworkCertificates(
  ca: NetworkCa,
  spec: NetworkSpec,
  o: { now: Date; validityDays: number },
): Promise<TlsFile[]> {
  const nfs = nfsNeedingCertificates(spec);
  const files: TlsFile[] = [
    { name: 'ca.crt', content: ca.certificate.toString('pem') + '\n', secret: false },
  ];
  for (const nf of nfs) {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const cert = await issueNfCertificate(ca, { publicKeySpki: spki, ...certificateNames(spec, nf), ...o });
    files.push({ name: `${nf}.crt`, content: cert.toString('pem') + '\n', secret: false });
    files.push({
      name: `${nf}.key`,
      content: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      secret: true,
    });
  }
  if (spec.sbi.tls) files.push({ name: 'hosts', content: hostsLines(spec), secret: false });
  return files;
}

/** `/etc/hosts` lines for the SBI FQDNs whose address is an IP (one line per address). */
export function hostsLines(spec: NetworkSpec): string {
  const byAddress = new Map<string, string[]>();
  for (const nf of SBI_NFS) {
    const { address } = spec.nf[nf].sbi;
    if (isIP(address) === 0) continue;
    byAddress.set(address, [...(byAddress.get(address) ?? []), sbiFqdn(spec, nf)]);
  }
  const lines = [...byAddress].map(([address, names]) => `${address}\t${names.join(' ')}`);
  return `# Pakawaaz: the Open5GS SBI names (add to /etc/hosts on every Open5GS host, or serve them in DNS)\n${lines.join('\n')}\n`;
}
