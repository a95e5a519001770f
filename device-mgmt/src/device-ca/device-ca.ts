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
  Pkcs10CertificateRequest,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  X509CrlGenerator,
  X509CrlReason,
  type JsonGeneralName,
} from '@peculiar/x509';

/*
 * The device CA's pure core: the CA certificate, device certificates for attested keys, server certificates
 * for the device edge, and the CRL. The CA's private key never enters this module: it signs through a
 * `CaSigner` (the kernel key service's signer — a key file read once, or an HSM), so nothing here can leak it.
 * Time and randomness are parameters.
 */

/** ECDSA P-256 with SHA-256 over `data`; the signature as r ‖ s (WebCrypto/JWS form, 64 bytes). */
export type CaSigner = { sign(data: Uint8Array): Promise<Uint8Array> };

export type DeviceCa = {
  certificate: X509Certificate;
  signer: CaSigner;
  /** Computed once (issuance throughput): the AKI every certificate it issues carries. */
  authorityKeyId: Extension;
};

export type DeviceCaErrorCode = 'CSR_MALFORMED' | 'CSR_SIGNATURE' | 'CSR_KEY_MISMATCH' | 'CSR_KEY_TYPE';

export class DeviceCaError extends Error {
  constructor(
    readonly code: DeviceCaErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceCaError';
  }
}

/** A CSR larger than this is refused before parsing (a P-256 CSR is about 250 bytes). */
export const MAX_CSR_BYTES = 4096;
const DAY = 86_400_000;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** The CA key as @peculiar/x509 sees it: only its algorithm is read; signing goes to the CaSigner. */
const CA_KEY = {
  algorithm: { name: 'ECDSA', namedCurve: 'P-256' },
  type: 'private',
} as unknown as webcrypto.CryptoKey;

const ab = (b: Uint8Array): ArrayBuffer => new Uint8Array(b).buffer;

/** A WebCrypto facade whose `sign` is the CA signer; everything else is Node's WebCrypto. */
function signerCrypto(signer: CaSigner): webcrypto.Crypto {
  const subtle = webcrypto.subtle;
  return {
    getRandomValues: (a: Uint8Array) => webcrypto.getRandomValues(a),
    randomUUID: () => webcrypto.randomUUID(),
    subtle: new Proxy(subtle, {
      get(target, prop) {
        if (prop === 'sign')
          return async (_alg: unknown, _key: unknown, data: ArrayBuffer | ArrayBufferView) => {
            const bytes = ArrayBuffer.isView(data)
              ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
              : new Uint8Array(data);
            return ab(await signer.sign(bytes));
          };
        const v: unknown = Reflect.get(target, prop);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }),
  } as unknown as webcrypto.Crypto;
}

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

export async function openDeviceCa(certificate: X509Certificate, signer: CaSigner): Promise<DeviceCa> {
  const authorityKeyId = await AuthorityKeyIdentifierExtension.create(certificate.publicKey);
  return { certificate, signer, authorityKeyId };
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

/**
 * Reads a PKCS#10 request and checks its self-signature (proof the requester holds the key). Returns the
 * request; throws DeviceCaError (a 400) for anything unreadable or unsigned.
 */
export async function verifiedCsr(der: Uint8Array): Promise<Pkcs10CertificateRequest> {
  if (der.length === 0 || der.length > MAX_CSR_BYTES)
    throw new DeviceCaError('CSR_MALFORMED', `the CSR must be 1 to ${MAX_CSR_BYTES} bytes of DER`);
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(ab(der));
  } catch (err) {
    throw new DeviceCaError(
      'CSR_MALFORMED',
      `the CSR is not PKCS#10 DER: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== 'P-256')
    throw new DeviceCaError('CSR_KEY_TYPE', 'the CSR key must be an EC P-256 key');
  let ok = false;
  try {
    ok = await csr.verify();
  } catch {
    ok = false;
  }
  if (!ok) throw new DeviceCaError('CSR_SIGNATURE', 'the CSR signature does not verify with its own key');
  return csr;
}

export type DeviceCertificateRequest = {
  csr: Pkcs10CertificateRequest;
  /** The SPKI (DER) the hardware attested: the CSR must carry this very key. */
  attestedSpki: Uint8Array | null;
  deviceId: string;
  userId: string;
  imei: string | null;
  now: Date;
  validityDays: number;
  serialHex?: string;
};

/** A device certificate: CN = device id, SAN URIs naming the official and the IMEI, client authentication. */
export async function issueDeviceCertificate(
  ca: DeviceCa,
  r: DeviceCertificateRequest,
): Promise<X509Certificate> {
  const spki = new Uint8Array(r.csr.publicKey.rawData);
  if (r.attestedSpki && !canonicalSpki(spki).equals(canonicalSpki(r.attestedSpki)))
    throw new DeviceCaError('CSR_KEY_MISMATCH', 'the CSR key is not the key the hardware attested');
  const names: JsonGeneralName[] = [
    { type: 'url', value: `urn:pakawaaz:device:${r.deviceId}` },
    { type: 'url', value: `urn:pakawaaz:user:${r.userId}` },
  ];
  if (r.imei) names.push({ type: 'url', value: `urn:imei:${r.imei}` });
  return X509CertificateGenerator.create(
    {
      serialNumber: r.serialHex ?? newSerialHex(),
      subject: new Name([{ CN: [r.deviceId] }]),
      issuer: ca.certificate.subjectName,
      notBefore: new Date(r.now.getTime() - 60_000),
      notAfter: new Date(r.now.getTime() + r.validityDays * DAY),
      publicKey: ab(spki),
      signingKey: CA_KEY,
      signingAlgorithm: SIGN,
      extensions: [
        new BasicConstraintsExtension(false, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
        new ExtendedKeyUsageExtension([ExtendedKeyUsage.clientAuth]),
        new SubjectAlternativeNameExtension(names),
        ca.authorityKeyId,
      ],
    },
    signerCrypto(ca.signer),
  );
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
