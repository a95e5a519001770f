import type { ByteSource } from '../byte-source.js';
import { EocdError, readEocd, type Eocd } from '../zip/eocd.js';
import type { ContentDigestAlgorithm } from './algorithms.js';
import { ApkSignatureError, type ApkSignatureErrorCode } from './apk-signature-errors.js';
import { computeContentDigests } from './content-digest.js';
import {
  findSigningBlock,
  V2_BLOCK_ID,
  V3_BLOCK_ID,
  V31_BLOCK_ID,
  type SigningBlockLimits,
} from './signing-block.js';
import { MAX_SDK, parseSigner, type SignerLimits, type VerifiedSigner } from './signer.js';
import { Reader } from './reader.js';

/** Android versions where each scheme starts to count (apksig AndroidSdkVersion N, P). */
const SDK_V2 = 24;
const SDK_V3 = 28;

export type SigningLimits = SigningBlockLimits &
  SignerLimits & {
    /** Bytes read at a time when digesting the APK (rounded down to a multiple of 1 MiB). */
    sliceSize: number;
  };

export const DEFAULT_SIGNING_LIMITS: SigningLimits = {
  // apksig allows up to 2 GiB; real blocks (v2, v3, padding, source stamp) are a few KiB to a few hundred.
  maxSigningBlockSize: 16 << 20,
  maxPairs: 64,
  // Android's ApkSignatureSchemeV2Verifier MAX_V2_SIGNERS.
  maxSigners: 10,
  maxSignatures: 16,
  maxCertificates: 16,
  maxAttributes: 64,
  maxLineageNodes: 32,
  sliceSize: 8 << 20,
};

export type ApkSignatureOptions = {
  /** The oldest Android version to verify for, as apksigner's --min-sdk-version (default 28). */
  minSdk?: number;
  /** The newest, as apksigner's --max-sdk-version (default: all). */
  maxSdk?: number;
  limits?: Partial<SigningLimits>;
};

export type ApkSignatureVerdict = {
  /** Whether each scheme verified, as apksigner reports it for the same SDK range. */
  schemes: { v2: boolean; v3: boolean };
  /** SHA-256 of each signer's certificate, lower-case hex, in apksigner's order; empty unless verified. */
  signers: string[];
  /** v3 proof-of-rotation lineage, SHA-256 of each certificate, oldest first; empty without one. */
  lineage: string[];
  /** Stable codes (APK_SIGNATURE_ERRORS); empty when a scheme verified. */
  errors: ApkSignatureErrorCode[];
  /** Which scheme blocks the APK Signing Block holds, verified or not (v1's stripping check needs them). */
  present: { v2: boolean; v3: boolean };
};

const refused = (...errors: ApkSignatureErrorCode[]): ApkSignatureVerdict => ({
  schemes: { v2: false, v3: false },
  signers: [],
  lineage: [],
  errors: [...new Set(errors)],
  present: { v2: false, v3: false },
});

/** The code of an expected error; while reading, anything else is the source failing (RangeError, I/O). */
function codeOf(err: unknown, reading: boolean): ApkSignatureErrorCode {
  if (err instanceof ApkSignatureError || err instanceof EocdError) return err.code;
  if (reading) return 'read_failed';
  // Parsing a block in memory throws nothing else: anything else is a bug, not a verdict on the APK.
  throw err;
}

type SchemeResult = { signers: VerifiedSigner[] };

/** The signers of a v2/v3 block: a length-prefixed sequence of length-prefixed signers. */
function parseScheme(
  scheme: 2 | 3,
  block: Buffer,
  range: { minSdk: number; maxSdk: number },
  limits: SigningLimits,
): SchemeResult {
  const signers = new Reader(new Reader(block).lengthPrefixed('signers'))
    .sequence('signers', limits.maxSigners)
    .map((bytes) => parseSigner(scheme, bytes, range, limits));
  if (signers.length === 0) throw new ApkSignatureError('no_signers', `the v${scheme} block has no signers`);
  return { signers };
}

/**
 * apksig V3SchemeVerifier.verify, after the signers: sorted by minSdk, their SDK ranges must follow each other
 * without gap and cover the whole requested range; lineages may only grow along it and must agree with each other
 * (SigningCertificateLineage.consolidateLineages). Returns the longest lineage.
 */
function checkV3Signers(signers: VerifiedSigner[], minSdk: number, maxSdk: number): string[] {
  const sorted = [...signers].sort((a, b) => a.minSdk - b.minSdk);
  let lastMax = -1;
  let longest: string[] = [];
  for (const [i, signer] of sorted.entries()) {
    if (i > 0 && signer.minSdk !== lastMax + 1)
      throw new ApkSignatureError(
        'sdk_versions_missing',
        'the v3 signers leave a gap or overlap in SDK versions',
      );
    lastMax = signer.maxSdk;
    if (signer.lineage) {
      const lineage = signer.lineage.map((c) => c.sha256);
      if (lineage.length < longest.length)
        throw new ApkSignatureError('lineage_mismatch', 'a lineage shrinks for newer SDK versions');
      if (longest.some((sha, j) => lineage[j] !== sha))
        throw new ApkSignatureError('lineage_mismatch', 'the v3 signers have diverging lineages');
      longest = lineage;
    }
  }
  if (sorted[0]!.minSdk > minSdk || lastMax < maxSdk)
    throw new ApkSignatureError(
      'sdk_versions_missing',
      `the v3 signers cover SDK ${sorted[0]!.minSdk}..${lastMax}, not ${minSdk}..${maxSdk}`,
    );
  return longest;
}

/** The EOCD with its central directory offset pointing at the APK Signing Block (APK Signature Scheme v2). */
async function eocdForDigest(source: ByteSource, eocd: Eocd, blockOffset: number): Promise<Buffer> {
  const record = Buffer.from(await source.read(eocd.offset, source.size - eocd.offset));
  record.writeUInt32LE(blockOffset, 16);
  return record;
}

/**
 * Verifies an APK's APK Signature Scheme v2 and v3 signatures as apksig's ApkVerifier does for the SDK range
 * (apksigner verify --min-sdk-version … --max-sdk-version …). With minSdk ≥ 28 and a v3 block, v2 is not
 * looked at (Android P+ ignores it), so it reports v2 = false even when it would verify — as apksigner does.
 * v1 (JAR signing) is not decided here. Bounded: the block and its parts are capped (`limits`), and the APK's
 * contents are streamed once, whatever the number of digest algorithms.
 */
export async function verifyApkSignatures(
  source: ByteSource,
  options: ApkSignatureOptions = {},
): Promise<ApkSignatureVerdict> {
  const minSdk = options.minSdk ?? SDK_V3;
  const maxSdk = options.maxSdk ?? MAX_SDK;
  const limits: SigningLimits = { ...DEFAULT_SIGNING_LIMITS, ...options.limits };
  let eocd: Eocd;
  let block;
  try {
    eocd = await readEocd(source);
    block = await findSigningBlock(source, eocd, limits);
  } catch (err) {
    return refused(codeOf(err, true));
  }
  if (!block) return refused('apk_not_signed_v2_v3');
  const v2Block = block.pairs.get(V2_BLOCK_ID);
  const v3Block = block.pairs.get(V3_BLOCK_ID);
  const present = { v2: v2Block !== undefined, v3: v3Block !== undefined };
  const found = (v: ApkSignatureVerdict): ApkSignatureVerdict => ({ ...v, present });
  if (block.pairs.has(V31_BLOCK_ID)) return found(refused('v31_unsupported'));

  // apksig ApkVerifier.verify: v3 first (for Android P+); errors there end the verification.
  let v3: SchemeResult | null = null;
  let lineage: string[] = [];
  if (v3Block && maxSdk >= SDK_V3) {
    try {
      const range = { minSdk: Math.max(minSdk, SDK_V3), maxSdk };
      v3 = parseScheme(3, v3Block, range, limits);
      lineage = checkV3Signers(v3.signers, range.minSdk, maxSdk);
    } catch (err) {
      return found(refused(codeOf(err, false)));
    }
  }
  // v2 when a platform in range would look at it: before P, or when there is no v3 block.
  let v2: SchemeResult | null = null;
  if (v2Block && maxSdk >= SDK_V2 && (minSdk < SDK_V3 || !v3Block)) {
    try {
      v2 = parseScheme(2, v2Block, { minSdk: Math.max(minSdk, SDK_V2), maxSdk }, limits);
    } catch (err) {
      return found(refused(codeOf(err, false)));
    }
    // V2_SIG_MISSING_APK_SIG_REFERENCED: the signer vouched for a v3 signature that is no longer there.
    if (!v3Block && v2.signers.some((s) => s.strippingProtection.includes(3)))
      return found(refused('v3_stripped'));
  }
  if (!v2 && !v3) return found(refused('apk_not_signed_v2_v3'));

  const signers = [...(v3?.signers ?? []), ...(v2?.signers ?? [])];
  const needed = new Set<ContentDigestAlgorithm>(
    signers.flatMap((s) => s.digests.map((d) => d.algorithm.digest)),
  );
  try {
    const sections = {
      blockOffset: block.offset,
      cdOffset: eocd.cdOffset,
      cdSize: eocd.cdSize,
      eocd: await eocdForDigest(source, eocd, block.offset),
    };
    const actual = await computeContentDigests(source, sections, needed, limits.sliceSize);
    for (const signer of signers)
      for (const { algorithm, expected } of signer.digests)
        if (!actual.get(algorithm.digest)!.equals(expected)) return found(refused('digest_mismatch'));
  } catch (err) {
    return found(refused(codeOf(err, true)));
  }

  // apksig ApkVerifier.Result: the signer certificates of the newest verified scheme.
  const reported = v3 ?? v2!;
  return found({
    schemes: { v2: v2 !== null, v3: v3 !== null },
    signers: reported.signers.map((s) => s.certificates[0]!.sha256),
    lineage,
    errors: [],
    present,
  });
}
