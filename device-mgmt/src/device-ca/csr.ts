import { verify as verifySignature } from 'node:crypto';
import { DerError, oid, readTlv, seq } from './der.js';

// PKCS#10 requests for the device CA, read and checked with Node's crypto (pure: no database, no key).

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
/** A PKCS#10 request whose self-signature verified: the key it asks a certificate for (SPKI, DER). */
export type VerifiedCsr = { spki: Uint8Array };

const ECDSA_SHA256 = Buffer.from(oid('1.2.840.10045.4.3.2'));
const P256_ALGORITHM = Buffer.from(seq(oid('1.2.840.10045.2.1'), oid('1.2.840.10045.3.1.7')));

/**
 * Reads a PKCS#10 request (RFC 2986) and checks its self-signature (proof the requester holds the key) with
 * Node's crypto: P-256 keys and ecdsa-with-SHA256 only. Throws DeviceCaError (a 400) for anything else.
 */
export const verifiedCsr = (der: Uint8Array): Promise<VerifiedCsr> =>
  new Promise((resolve) => resolve(readCsr(der)));

function readCsr(der: Uint8Array): VerifiedCsr {
  if (der.length === 0 || der.length > MAX_CSR_BYTES)
    throw new DeviceCaError('CSR_MALFORMED', `the CSR must be 1 to ${MAX_CSR_BYTES} bytes of DER`);
  let info: Uint8Array, alg: Uint8Array, sig: Uint8Array, spki: Uint8Array;
  try {
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new DerError('not one SEQUENCE');
    const i = readTlv(der, outer.start, outer.end);
    const a = readTlv(der, i.end, outer.end);
    const s = readTlv(der, a.end, outer.end);
    if (i.tag !== 0x30 || a.tag !== 0x30 || s.tag !== 0x03 || s.end !== outer.end || der[s.start] !== 0)
      throw new DerError('not a CertificationRequest');
    info = der.subarray(outer.start, i.end);
    alg = der.subarray(a.start, a.end);
    sig = der.subarray(s.start + 1, s.end);
    const version = readTlv(der, i.start, i.end);
    const subject = readTlv(der, version.end, i.end);
    const key = readTlv(der, subject.end, i.end);
    if (version.tag !== 0x02 || subject.tag !== 0x30 || key.tag !== 0x30)
      throw new DerError('bad request info');
    spki = der.subarray(subject.end, key.end);
  } catch (err) {
    if (!(err instanceof DerError)) throw err;
    throw new DeviceCaError('CSR_MALFORMED', `the CSR is not PKCS#10 DER: ${err.message}`);
  }
  // SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier (id-ecPublicKey, prime256v1), BIT STRING }.
  let keyAlgorithm: Uint8Array;
  try {
    const outerKey = readTlv(spki, 0);
    const algId = readTlv(spki, outerKey.start, outerKey.end);
    keyAlgorithm = spki.subarray(outerKey.start, algId.end);
  } catch (err) {
    // A key field that is present but empty or truncated (e.g. `30 00`): malformed, not a server error.
    if (!(err instanceof DerError)) throw err;
    throw new DeviceCaError('CSR_MALFORMED', `the CSR's public key is not DER: ${err.message}`);
  }
  if (!Buffer.from(keyAlgorithm).equals(P256_ALGORITHM))
    throw new DeviceCaError('CSR_KEY_TYPE', 'the CSR key must be an EC P-256 key');
  if (!Buffer.from(alg).subarray(0, ECDSA_SHA256.length).equals(ECDSA_SHA256))
    throw new DeviceCaError('CSR_SIGNATURE', 'the CSR must be signed with ecdsa-with-SHA256');
  let ok = false;
  try {
    ok = verifySignature('sha256', info, { key: Buffer.from(spki), format: 'der', type: 'spki' }, sig);
  } catch {
    ok = false;
  }
  if (!ok) throw new DeviceCaError('CSR_SIGNATURE', 'the CSR signature does not verify with its own key');
  return { spki: new Uint8Array(spki) };
}
