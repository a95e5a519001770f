import { createHash } from 'node:crypto';
import { Certificate } from 'pkijs';
import { guardDer } from './der-guard.js';
import { GOOGLE_ATTESTATION_ROOTS } from './google-roots.js';
import { AttestationInputError } from './limits.js';
import { pemBundle } from './pem.js';

/** A trusted attestation root: a chain is anchored by its public key (SHA-256 of the SubjectPublicKeyInfo). */
export type TrustAnchor = { label: string; certificate: Certificate; spkiSha256: string };
export type TrustRoots = readonly TrustAnchor[];

/** Parses one DER certificate after the DER guard; `what` names it in errors ("certificate 2"). */
export function parseCertificate(der: Uint8Array, what: string): Certificate {
  guardDer(der, what);
  try {
    return Certificate.fromBER(der);
  } catch (err) {
    throw new AttestationInputError(
      'CERTIFICATE_MALFORMED',
      `${what} is not an X.509 certificate: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export const sha256Hex = (b: Uint8Array | ArrayBuffer): string =>
  createHash('sha256')
    .update(b instanceof Uint8Array ? b : new Uint8Array(b))
    .digest('hex');

const spkiHashes = new WeakMap<Certificate, string>();
export function spkiSha256(cert: Certificate): string {
  let hash = spkiHashes.get(cert);
  if (hash === undefined) {
    hash = sha256Hex(cert.subjectPublicKeyInfo.toSchema().toBER(false));
    spkiHashes.set(cert, hash);
  }
  return hash;
}

/** A certificate's serial as Google's status list keys it: lower-case hex without leading zeros. */
export function serialKey(cert: Certificate): string {
  const hex = Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex');
  return hex.replace(/^0+(?=.)/, '');
}

/** Trust roots from a PEM bundle (a national root, a lab root, a rotated Google root). */
export function trustRootsFromPem(pem: string, label = 'root'): TrustRoots {
  const ders = pemBundle(pem);
  if (ders.length === 0)
    throw new AttestationInputError('NOT_PEM', 'the roots file holds no "-----BEGIN CERTIFICATE-----" block');
  return ders.map((der, i) => {
    const certificate = parseCertificate(der, `${label} ${i + 1}`);
    return { label: `${label} ${i + 1}`, certificate, spkiSha256: spkiSha256(certificate) };
  });
}

/** Google's hardware attestation roots shipped with Pakawaaz, each checked against its pinned SHA-256. */
export function googleAttestationRoots(): TrustRoots {
  return GOOGLE_ATTESTATION_ROOTS.map((root) => {
    const [der] = pemBundle(root.pem);
    if (!der || sha256Hex(der) !== root.sha256)
      throw new Error(`the built-in root "${root.label}" does not match its pinned SHA-256`);
    const certificate = parseCertificate(der, root.label);
    return { label: root.label, certificate, spkiSha256: spkiSha256(certificate) };
  });
}

export type RevocationStatus = { status: 'REVOKED' | 'SUSPENDED'; reason: string | null };
/** Google's attestation status list (https://android.googleapis.com/attestation/status), keyed by serial. */
export type RevocationList = ReadonlyMap<string, RevocationStatus>;

export class RevocationListError extends Error {
  override name = 'RevocationListError';
}

/**
 * Reads a status list in Google's format: `{ "entries": { "<serial hex>": { "status": "REVOKED" |
 * "SUSPENDED", "reason": "...", ... } } }`. Anything else is refused, never half-read.
 */
export function parseRevocationList(json: unknown): RevocationList {
  const entries = (json as { entries?: unknown } | null)?.entries;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    throw new RevocationListError(
      'the status list has no "entries" object (Google attestation/status format)',
    );
  const list = new Map<string, RevocationStatus>();
  for (const [serial, entry] of Object.entries(entries as Record<string, unknown>)) {
    const e = entry as { status?: unknown; reason?: unknown } | null;
    if (!/^[0-9a-fA-F]+$/.test(serial))
      throw new RevocationListError(`status list entry "${serial.slice(0, 40)}" is not a hex serial number`);
    if (e?.status !== 'REVOKED' && e?.status !== 'SUSPENDED')
      throw new RevocationListError(`status list entry ${serial}: status must be REVOKED or SUSPENDED`);
    list.set(serial.toLowerCase().replace(/^0+(?=.)/, ''), {
      status: e.status,
      reason: typeof e.reason === 'string' ? e.reason : null,
    });
  }
  return list;
}
