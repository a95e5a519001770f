import { constants, verify, type KeyObject } from 'node:crypto';

/** How the APK's contents are digested (apksig ContentDigestAlgorithm). */
export type ContentDigestAlgorithm = 'CHUNKED_SHA256' | 'CHUNKED_SHA512' | 'VERITY_CHUNKED_SHA256';

export type SignatureAlgorithm = {
  id: number;
  name: string;
  digest: ContentDigestAlgorithm;
  /** The hash the signature is computed with (JCA "SHA256withRSA" …). */
  hash: 'sha256' | 'sha512';
  key: 'rsa' | 'rsa-pss' | 'ec' | 'dsa';
  /** The first Android version that verifies it (apksig SignatureAlgorithm minSdkVersion): N = 24, P = 28. */
  minSdk: number;
};

/**
 * The signature algorithms of APK Signature Scheme v2/v3 (apksig SignatureAlgorithm). Any other id is unknown:
 * skipped, as Android skips it, but a signer needs at least one known one.
 */
const ALGORITHMS: readonly SignatureAlgorithm[] = [
  {
    id: 0x0101,
    name: 'RSA_PSS_WITH_SHA256',
    digest: 'CHUNKED_SHA256',
    hash: 'sha256',
    key: 'rsa-pss',
    minSdk: 24,
  },
  {
    id: 0x0102,
    name: 'RSA_PSS_WITH_SHA512',
    digest: 'CHUNKED_SHA512',
    hash: 'sha512',
    key: 'rsa-pss',
    minSdk: 24,
  },
  {
    id: 0x0103,
    name: 'RSA_PKCS1_V1_5_WITH_SHA256',
    digest: 'CHUNKED_SHA256',
    hash: 'sha256',
    key: 'rsa',
    minSdk: 24,
  },
  {
    id: 0x0104,
    name: 'RSA_PKCS1_V1_5_WITH_SHA512',
    digest: 'CHUNKED_SHA512',
    hash: 'sha512',
    key: 'rsa',
    minSdk: 24,
  },
  { id: 0x0201, name: 'ECDSA_WITH_SHA256', digest: 'CHUNKED_SHA256', hash: 'sha256', key: 'ec', minSdk: 24 },
  { id: 0x0202, name: 'ECDSA_WITH_SHA512', digest: 'CHUNKED_SHA512', hash: 'sha512', key: 'ec', minSdk: 24 },
  { id: 0x0301, name: 'DSA_WITH_SHA256', digest: 'CHUNKED_SHA256', hash: 'sha256', key: 'dsa', minSdk: 24 },
  {
    id: 0x0421,
    name: 'VERITY_RSA_PKCS1_V1_5_WITH_SHA256',
    digest: 'VERITY_CHUNKED_SHA256',
    hash: 'sha256',
    key: 'rsa',
    minSdk: 28,
  },
  {
    id: 0x0423,
    name: 'VERITY_ECDSA_WITH_SHA256',
    digest: 'VERITY_CHUNKED_SHA256',
    hash: 'sha256',
    key: 'ec',
    minSdk: 28,
  },
  {
    id: 0x0425,
    name: 'VERITY_DSA_WITH_SHA256',
    digest: 'VERITY_CHUNKED_SHA256',
    hash: 'sha256',
    key: 'dsa',
    minSdk: 28,
  },
];

const BY_ID = new Map(ALGORITHMS.map((a) => [a.id, a]));

export function signatureAlgorithm(id: number): SignatureAlgorithm | undefined {
  return BY_ID.get(id);
}

/** apksig ApkSigningBlockUtils.compareContentDigestAlgorithm: SHA-512 > verity SHA-256 > SHA-256. */
const DIGEST_STRENGTH: Record<ContentDigestAlgorithm, number> = {
  CHUNKED_SHA256: 0,
  VERITY_CHUNKED_SHA256: 1,
  CHUNKED_SHA512: 2,
};

/** apksig compareSignatureAlgorithm: the stronger content digest wins; for equal digests RSA-PSS beats PKCS#1. */
export function compareAlgorithms(a: SignatureAlgorithm, b: SignatureAlgorithm): number {
  const byDigest = DIGEST_STRENGTH[a.digest] - DIGEST_STRENGTH[b.digest];
  if (byDigest !== 0) return byDigest;
  return (a.key === 'rsa-pss' ? 1 : 0) - (b.key === 'rsa-pss' ? 1 : 0);
}

/**
 * Which of a signer's known signatures to check (apksig ApkSigningBlockUtils.getSignaturesToVerify): the
 * strongest per "first Android version that supports it", among those an Android version in [minSdk, maxSdk]
 * knows — each such platform checks its strongest, so we check each of them. null when the oldest targeted
 * platform knows none of them (it would refuse the APK).
 */
export function signaturesToVerify<T extends { algorithm: SignatureAlgorithm }>(
  signatures: readonly T[],
  minSdk: number,
  maxSdk: number,
): T[] | null {
  const best = new Map<number, T>();
  let oldest = Infinity;
  for (const sig of signatures) {
    const since = sig.algorithm.minSdk;
    if (since > maxSdk) continue;
    oldest = Math.min(oldest, since);
    const current = best.get(since);
    if (!current || compareAlgorithms(sig.algorithm, current.algorithm) > 0) best.set(since, sig);
  }
  if (best.size === 0 || minSdk < oldest) return null;
  return [...best.values()].sort((a, b) => a.algorithm.id - b.algorithm.id);
}

/** Verifies one signature with node:crypto; false (never a throw) when the key does not fit the algorithm. */
export function verifySignature(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  const type = key.asymmetricKeyType;
  const wanted = algorithm.key === 'rsa-pss' ? 'rsa' : algorithm.key;
  if (type !== wanted) return false;
  try {
    if (algorithm.key === 'rsa-pss')
      // apksig: SHA256withRSA/PSS with MGF1 of the same hash and a salt as long as the hash (32 or 64 bytes).
      return verify(
        algorithm.hash,
        data,
        {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: algorithm.hash === 'sha256' ? 32 : 64,
        },
        signature,
      );
    return verify(algorithm.hash, data, key, signature);
  } catch {
    return false;
  }
}
