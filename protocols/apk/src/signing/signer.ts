import { ApkSignatureError } from './apk-signature-errors.js';
import {
  signatureAlgorithm,
  signaturesToVerify,
  verifySignature,
  type SignatureAlgorithm,
} from './algorithms.js';
import {
  parseCertificate,
  publicKey,
  spkiWithPositiveModulus,
  type SignerCertificate,
} from './certificate.js';
import { Reader } from './reader.js';

/** Additional attribute of a v2 signer naming the newer schemes it was signed with (apksig V2SchemeConstants). */
export const STRIPPING_PROTECTION_ATTR_ID = 0xbeeff00d;
/** Additional attribute of a v3 signer: its proof-of-rotation lineage (apksig V3SchemeConstants). */
export const PROOF_OF_ROTATION_ATTR_ID = 0x3ba06f8c;
/** The largest SDK version a v3 signer can name: Java's Integer.MAX_VALUE, as apksig reads it. */
export const MAX_SDK = 0x7fffffff;

export type SignerLimits = {
  maxSigners: number;
  maxSignatures: number;
  maxCertificates: number;
  maxAttributes: number;
  maxLineageNodes: number;
};

export type VerifiedSigner = {
  certificates: SignerCertificate[];
  /** v3: the SDK range the signer declares; v2: the whole range. */
  minSdk: number;
  maxSdk: number;
  /** The content digests the checked signatures vouch for, to compare with the APK's. */
  digests: Array<{ algorithm: SignatureAlgorithm; expected: Buffer }>;
  /** v2: the scheme ids of the stripping-protection attribute. */
  strippingProtection: number[];
  /** v3: the lineage certificates, oldest first; null without one. */
  lineage: SignerCertificate[] | null;
};

/**
 * One signer of a v2 or v3 block (apksig V2SchemeVerifier.parseSigner, V3SchemeVerifier.parseSigner):
 *   v2: signed data, signatures, public key;  v3: signed data, uint32 minSdk, uint32 maxSdk, signatures, key.
 * Signatures are checked before the signed data is trusted; the signed data then must list the same algorithms
 * as the signatures, and its first certificate must carry the very public key that verified them.
 */
export function parseSigner(
  scheme: 2 | 3,
  bytes: Buffer,
  range: { minSdk: number; maxSdk: number },
  limits: SignerLimits,
): VerifiedSigner {
  const r = new Reader(bytes);
  const signedData = r.lengthPrefixed('signed data');
  let { minSdk, maxSdk } = range;
  if (scheme === 3) {
    minSdk = r.uint32('minSdkVersion');
    maxSdk = r.uint32('maxSdkVersion');
    // apksig reads them as Java ints: a value past Integer.MAX_VALUE is negative there, so invalid.
    if (minSdk > MAX_SDK || maxSdk > MAX_SDK || minSdk > maxSdk)
      throw new ApkSignatureError('sdk_versions_invalid', `v3 signer SDK range ${minSdk}..${maxSdk}`);
  }
  const signaturesBytes = r.lengthPrefixed('signatures');
  const publicKeyBytes = r.lengthPrefixed('public key');
  const key = publicKey(publicKeyBytes);

  const signatureIds: number[] = [];
  const known: Array<{ algorithm: SignatureAlgorithm; signature: Buffer }> = [];
  for (const record of new Reader(signaturesBytes).sequence('signatures', limits.maxSignatures)) {
    const rr = new Reader(record);
    const id = rr.uint32('signature algorithm');
    const signature = rr.lengthPrefixed('signature');
    signatureIds.push(id);
    const algorithm = signatureAlgorithm(id);
    if (algorithm) known.push({ algorithm, signature });
  }
  if (signatureIds.length === 0) throw new ApkSignatureError('no_signatures', 'a signer has no signatures');
  const toVerify = signaturesToVerify(known, minSdk, maxSdk);
  if (!toVerify)
    throw new ApkSignatureError(
      'no_supported_algorithm',
      `no signature algorithm known to SDK ${minSdk}..${maxSdk} among ${signatureIds.map((i) => i.toString(16)).join(', ')}`,
    );
  for (const { algorithm, signature } of toVerify)
    if (!verifySignature(algorithm, key, signedData, signature))
      throw new ApkSignatureError('signature_invalid', `${algorithm.name} signature does not verify`);

  // The signed data: digests, certificates, [v3: minSdk, maxSdk], additional attributes.
  const sd = new Reader(signedData);
  const digestsBytes = sd.lengthPrefixed('digests');
  const certificatesBytes = sd.lengthPrefixed('certificates');
  if (scheme === 3) {
    const signedMin = sd.uint32('signed minSdkVersion');
    const signedMax = sd.uint32('signed maxSdkVersion');
    if (signedMin !== minSdk || signedMax !== maxSdk)
      throw new ApkSignatureError(
        'sdk_versions_invalid',
        'SDK range differs between the signer and its signed data',
      );
  }
  const attributesBytes = sd.lengthPrefixed('additional attributes');

  const digestIds: number[] = [];
  const digests = new Map<number, Buffer>();
  for (const record of new Reader(digestsBytes).sequence('digests', limits.maxSignatures)) {
    const rr = new Reader(record);
    const id = rr.uint32('digest algorithm');
    digestIds.push(id);
    digests.set(id, rr.lengthPrefixed('digest'));
  }
  if (digestIds.length !== signatureIds.length || digestIds.some((id, i) => id !== signatureIds[i]))
    throw new ApkSignatureError(
      'algorithms_mismatch',
      'the signatures and digests records list different algorithms',
    );

  const certificates = new Reader(certificatesBytes)
    .sequence('certificates', limits.maxCertificates)
    .map((der) => parseCertificate(der));
  const first = certificates[0];
  if (!first) throw new ApkSignatureError('no_certificates', 'a signer has no certificates');
  if (!first.spki.equals(publicKeyBytes) && !spkiWithPositiveModulus(first.spki)?.equals(publicKeyBytes))
    throw new ApkSignatureError(
      'public_key_mismatch',
      "the signer's public key is not its first certificate's",
    );

  const strippingProtection: number[] = [];
  let lineage: SignerCertificate[] | null = null;
  for (const record of new Reader(attributesBytes).sequence('additional attributes', limits.maxAttributes)) {
    const rr = new Reader(record);
    const id = rr.uint32('attribute id');
    const value = rr.rest();
    // Unknown attributes are ignored, as apksig only warns (V2/V3_SIG_UNKNOWN_ADDITIONAL_ATTRIBUTE).
    if (scheme === 2 && id === STRIPPING_PROTECTION_ATTR_ID)
      strippingProtection.push(new Reader(value).uint32('stripping protection'));
    if (scheme === 3 && id === PROOF_OF_ROTATION_ATTR_ID) {
      lineage = parseLineage(value, limits.maxLineageNodes);
      if (lineage.at(-1)?.sha256 !== first.sha256)
        throw new ApkSignatureError(
          'lineage_mismatch',
          "the lineage does not end with the signer's certificate",
        );
    }
  }

  return {
    certificates,
    minSdk,
    maxSdk,
    digests: toVerify.map(({ algorithm }) => ({ algorithm, expected: digests.get(algorithm.id)! })),
    strippingProtection,
    lineage,
  };
}

/**
 * The proof-of-rotation lineage (apksig V3SigningCertificateLineage.readSigningCertificateLineage): uint32
 * version 1, then length-prefixed nodes, oldest first, each
 *   signed data (length-prefixed certificate, uint32 algorithm the previous key signs with), uint32 flags,
 *   uint32 algorithm this node's key signs the next node with, length-prefixed signature.
 * Each node's signed data is signed by the previous node's key, with the algorithm the previous node named and
 * the signed data repeats; no certificate may appear twice.
 */
export function parseLineage(value: Buffer, maxNodes: number): SignerCertificate[] {
  const r = new Reader(value, 'lineage_invalid');
  if (r.uint32('lineage version') !== 1)
    throw new ApkSignatureError('lineage_invalid', 'unknown lineage version');
  const out: SignerCertificate[] = [];
  let previousAlgorithm = 0;
  for (const node of r.sequence('lineage nodes', maxNodes)) {
    const nr = new Reader(node, 'lineage_invalid');
    const signedData = nr.lengthPrefixed('lineage signed data');
    nr.uint32('lineage flags');
    const algorithmId = nr.uint32('lineage algorithm');
    const signature = nr.lengthPrefixed('lineage signature');
    const previous = out.at(-1);
    if (previous) {
      const algorithm = signatureAlgorithm(previousAlgorithm);
      if (!algorithm)
        throw new ApkSignatureError(
          'lineage_invalid',
          `unknown lineage algorithm ${previousAlgorithm.toString(16)}`,
        );
      let parentKey;
      try {
        parentKey = publicKey(previous.spki);
      } catch {
        throw new ApkSignatureError(
          'lineage_invalid',
          `lineage node #${out.length}: its public key does not parse`,
        );
      }
      if (!verifySignature(algorithm, parentKey, signedData, signature))
        throw new ApkSignatureError(
          'lineage_invalid',
          `lineage node #${out.length + 1} is not signed by its parent`,
        );
    }
    const sr = new Reader(signedData, 'lineage_invalid');
    const der = sr.lengthPrefixed('lineage certificate');
    const signedAlgorithm = sr.uint32('lineage signed algorithm');
    if (previous && signedAlgorithm !== previousAlgorithm)
      throw new ApkSignatureError('lineage_invalid', `lineage node #${out.length + 1}: algorithm mismatch`);
    let cert: SignerCertificate;
    try {
      cert = parseCertificate(der);
    } catch {
      throw new ApkSignatureError(
        'lineage_invalid',
        `lineage node #${out.length + 1}: certificate does not parse`,
      );
    }
    if (out.some((c) => c.sha256 === cert.sha256))
      throw new ApkSignatureError('lineage_invalid', 'a certificate appears twice in the lineage');
    out.push(cert);
    previousAlgorithm = algorithmId;
  }
  if (out.length === 0) throw new ApkSignatureError('lineage_invalid', 'an empty lineage');
  return out;
}
