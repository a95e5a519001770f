// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509CrlGenerator,
  X509CrlReason,
  type JsonGeneralName,
} from '@peculiar/x509';
import { DeviceCaError, type VerifiedCsr } from './csr.js';
import { bool, ecdsaDer, octets, oid, seq, set, tlv, time, uint, utf8 } from './der.js';
import {
  arrayBufferOf,
  ES256_SIGNER_KEY,
  ES256_SIGNING_ALGORITHM,
  signerCrypto,
  type CaSigner,
} from '@pakawaaz/platform';

export {
  DeviceCaError,
  MAX_CSR_BYTES,
  verifiedCsr,
  type DeviceCaErrorCode,
  type VerifiedCsr,
} from './csr.js';

/*
 * The device CA's pure core: the CA certificate, device certificates for attested keys, server certificates
 * for the device edge, and the CRL. The CA's private key never enters this module: it signs through a
 * `CaSigner` (the kernel key service's signer — a key file read once, or an HSM), so nothing here can leak it.
 * Time and randomness are parameters.
 */

/** ECDSA P-256 with SHA-256 over `data`; the signature as r ‖ s (WebCrypto/JWS form, 64 bytes). */
export type { CaSigner };

export type DeviceCa = {
  certificate: X509Certificate;
  signer: CaSigner;
  /** Computed once (issuance throughput): the AKI every certificate it issues carries. */
  authorityKeyId: Extension;
  /** The CA's subject Name, DER: the issuer of every certificate it signs. */
  issuerDer: Uint8Array;
};

const DAY = 86_400_000;
const SIGN = ES256_SIGNING_ALGORITHM;
const CA_KEY = ES256_SIGNER_KEY;
const ab = arrayBufferOf;

/** 16 random bytes as a positive INTEGER without a leading zero octet (RFC 5280 §4.1.2.2), hex. */
export function newSerialHex(random: (n: number) => Uint8Array = (n) => randomBytes(n)): string {
  const b = random(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(b).toString('hex');
}

/** base64url SHA-256 of a certificate's DER (RFC 8705 `x5t#S256`). */
export const thumbprintOf = (der: Uint8Array): string => createHash('sha256').update(der).digest('base64url');

/** An SPKI in Node's canonical DER (named curve, uncompressed point), for comparing two encodings of a key. */
export function canonicalSpki(spki: Uint8Array): Buffer {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({
    type: 'spki',
    format: 'der',
  });
}

/** Whether two SPKIs are the same key: equal bytes (the usual case, cheap), else equal canonical forms. */
export const sameKey = (a: Uint8Array, b: Uint8Array): boolean =>
  Buffer.from(a).equals(b) || canonicalSpki(a).equals(canonicalSpki(b));

export async function openDeviceCa(certificate: X509Certificate, signer: CaSigner): Promise<DeviceCa> {
  const authorityKeyId = await AuthorityKeyIdentifierExtension.create(certificate.publicKey);
  const issuerDer = new Uint8Array(certificate.subjectName.toArrayBuffer());
  return { certificate, signer, authorityKeyId, issuerDer };
}

/** The CA certificate: self-signed by the signer, long-lived, allowed to issue end-entity certificates only. */
export async function createCaCertificate(o: {
  signer: CaSigner;
  publicKeySpki: Uint8Array;
  name: string;
  now: Date;
  validityDays: number;
  serialHex?: string;
}): Promise<X509Certificate> {
  const publicKey = ab(o.publicKeySpki);
  return X509CertificateGenerator.create(
    {
      serialNumber: o.serialHex ?? newSerialHex(),
      subject: o.name,
      issuer: o.name,
      notBefore: new Date(o.now.getTime() - 60_000),
      notAfter: new Date(o.now.getTime() + o.validityDays * DAY),
      publicKey,
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(publicKey),
      ],
    },
    signerCrypto(o.signer),
  );
}

export type DeviceCertificateRequest = {
  csr: VerifiedCsr;
  /** The SPKI (DER) the hardware attested: the CSR must carry this very key. */
  attestedSpki: Uint8Array | null;
  deviceId: string;
  userId: string;
  imei: string | null;
  now: Date;
  validityDays: number;
  serialHex?: string;
};

const EXT = {
  basicConstraints: oid('2.5.29.19'),
  keyUsage: oid('2.5.29.15'),
  extKeyUsage: oid('2.5.29.37'),
  subjectAltName: oid('2.5.29.17'),
};
const ext = (id: Uint8Array, critical: boolean, value: Uint8Array) =>
  seq(id, ...(critical ? [bool(true)] : []), octets(value));
/** Extensions every device certificate carries, encoded once. */
const FIXED_EXTENSIONS = Buffer.concat([
  ext(EXT.basicConstraints, true, seq()),
  ext(EXT.keyUsage, true, tlv(0x03, Uint8Array.of(0x07, 0x80))),
  ext(EXT.extKeyUsage, false, seq(oid('1.3.6.1.5.5.7.3.2'))),
]);
const SIGNATURE_ALGORITHM = seq(oid('1.2.840.10045.4.3.2'));
const VERSION_3 = tlv(0xa0, uint(Uint8Array.of(2)));
const CN = oid('2.5.4.3');

/**
 * A device certificate: CN = device id, SAN URIs naming the device, the official and the IMEI, client
 * authentication only, for the attested key. Encoded directly (der.ts) and signed by the CA signer.
 */
export type IssuedDer = { der: Uint8Array; serialHex: string; notBefore: Date; notAfter: Date };

/** PEM of a DER certificate. */
export const certificatePem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END CERTIFICATE-----\n`;

export async function issueDeviceCertificate(ca: DeviceCa, r: DeviceCertificateRequest): Promise<IssuedDer> {
  const spki = r.csr.spki;
  if (r.attestedSpki && !sameKey(spki, r.attestedSpki))
    throw new DeviceCaError('CSR_KEY_MISMATCH', 'the CSR key is not the key the hardware attested');
  const uris = [`urn:pakawaaz:device:${r.deviceId}`, `urn:pakawaaz:user:${r.userId}`];
  if (r.imei) uris.push(`urn:imei:${r.imei}`);
  return issueClientCertificate(ca, { spki, commonName: r.deviceId, uris, ...r });
}

/** SAN URI prefix that marks a bot's certificate (a service account, never a handset). */
export const BOT_URI = 'urn:pakawaaz:bot:';
/** SAN URI prefix naming the institution a bot belongs to. */
export const INSTITUTION_URI = 'urn:pakawaaz:institution:';

/**
 * A bot's certificate (an e-Office service account of one institution, an MLS credential): CN = bot id, SAN
 * URIs `urn:pakawaaz:bot:<id>` and `urn:pakawaaz:institution:<id>`, no device or user URI — so nothing that
 * looks for a handset or an official finds one in it. Client authentication only, like a device certificate.
 */
export async function issueBotCertificate(
  ca: DeviceCa,
  r: { csr: VerifiedCsr; botId: string; institutionId: string; now: Date; validityDays: number },
): Promise<IssuedDer> {
  const uris = [`${BOT_URI}${r.botId}`, `${INSTITUTION_URI}${r.institutionId}`];
  return issueClientCertificate(ca, { spki: r.csr.spki, commonName: r.botId, uris, ...r });
}

async function issueClientCertificate(
  ca: DeviceCa,
  r: {
    spki: Uint8Array;
    commonName: string;
    uris: readonly string[];
    now: Date;
    validityDays: number;
    serialHex?: string;
  },
): Promise<IssuedDer> {
  const san = seq(...r.uris.map((u) => tlv(0x86, Buffer.from(u, 'ascii'))));
  const serialHex = r.serialHex ?? newSerialHex();
  const second = Math.floor(r.now.getTime() / 1000) * 1000;
  const notBefore = new Date(second - 60_000);
  const notAfter = new Date(second + r.validityDays * DAY);
  const tbs = seq(
    VERSION_3,
    uint(Buffer.from(serialHex, 'hex')),
    SIGNATURE_ALGORITHM,
    ca.issuerDer,
    seq(time(notBefore), time(notAfter)),
    seq(set(seq(CN, utf8(r.commonName)))),
    r.spki,
    tlv(
      0xa3,
      seq(FIXED_EXTENSIONS, ext(EXT.subjectAltName, false, san), new Uint8Array(ca.authorityKeyId.rawData)),
    ),
  );
  const signature = ecdsaDer(await ca.signer.sign(tbs));
  const der = seq(tbs, SIGNATURE_ALGORITHM, tlv(0x03, Uint8Array.of(0), signature));
  return { der, serialHex: serialHex.toLowerCase().replace(/^0+(?=.)/, ''), notBefore, notAfter };
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A TLS server certificate for the device edge (handsets trust the device CA they got at enrolment). */
export async function issueServerCertificate(
  ca: DeviceCa,
  o: { publicKeySpki: Uint8Array; hostnames: readonly string[]; now: Date; validityDays: number },
): Promise<X509Certificate> {
  const names: JsonGeneralName[] = o.hostnames.map((h) =>
    IPV4.test(h) || h.includes(':') ? { type: 'ip', value: h } : { type: 'dns', value: h },
  );
  return X509CertificateGenerator.create(
    {
      serialNumber: newSerialHex(),
      subject: new Name([{ CN: [o.hostnames[0] ?? 'pakawaaz-device-edge'] }]),
      issuer: ca.certificate.subjectName,
      notBefore: new Date(o.now.getTime() - 60_000),
      notAfter: new Date(o.now.getTime() + o.validityDays * DAY),
      publicKey: ab(o.publicKeySpki),
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
        new SubjectAlternativeNameExtension(names),
        ca.authorityKeyId,
      ],
    },
    signerCrypto(ca.signer),
  );
}

export type RevokedEntry = {
  serialHex: string;
  revokedAt: Date;
  /** wiped, lost, retired, superseded (mapped to RFC 5280 reason codes), or anything else (unspecified). */
  reason: string;
};

const CRL_REASONS: Record<string, X509CrlReason> = {
  wiped: X509CrlReason.cessationOfOperation,
  retired: X509CrlReason.cessationOfOperation,
  lost: X509CrlReason.keyCompromise,
  superseded: X509CrlReason.superseded,
};

/** A CRL (v2) of the revoked, not yet expired device certificates, signed by the CA. */
export async function buildCrl(
  ca: DeviceCa,
  o: { entries: readonly RevokedEntry[]; thisUpdate: Date; nextUpdate: Date },
): Promise<Uint8Array> {
  const crl = await X509CrlGenerator.create(
    {
      issuer: ca.certificate.subjectName,
      thisUpdate: o.thisUpdate,
      nextUpdate: o.nextUpdate,
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [ca.authorityKeyId],
      entries: o.entries.map((e) => ({
        serialNumber: e.serialHex,
        revocationDate: e.revokedAt,
        reason: CRL_REASONS[e.reason] ?? X509CrlReason.unspecified,
      })),
    },
    signerCrypto(ca.signer),
  );
  return new Uint8Array(crl.rawData);
}

/** A signer over a WebCrypto private key (tests, the bench, the in-memory edge key). */
export function webCryptoSigner(privateKey: webcrypto.CryptoKey): CaSigner {
  return {
    sign: async (data) => new Uint8Array(await webcrypto.subtle.sign(SIGN, privateKey, data)),
  };
}
