import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { ApkBuildError } from './build-error.js';
import { lengthPrefixed, sequence, u32, u64 } from './bytes.js';

/** A private key and the DER X.509 certificate that carries its public key. */
export type SigningKey = { privateKey: KeyObject; certificate: Buffer };

export type SignApkOptions = {
  /**
   * The v2 signers (all of them), and the v3 signer when there is no lineage (v3 has one signer per SDK range,
   * so then exactly one).
   */
  signers: SigningKey[];
  /** Write an APK Signature Scheme v2 block. Default true. */
  v2?: boolean;
  /** Write an APK Signature Scheme v3 block. Default true. */
  v3?: boolean;
  /**
   * Key rotation (v3 proof-of-rotation): the signing certificate history, oldest first, each signing the next.
   * The v3 block is signed by the last one and carries the lineage; the v2 block stays with `signers` (the old
   * key, which Android 7–8 still checks). Needs v3.
   */
  lineage?: SigningKey[];
  /** The v3 signer's SDK range (apksig: Android P = 28 … Integer.MAX_VALUE). */
  v3MinSdk?: number;
  v3MaxSdk?: number;
};

/* apksig ApkSigningBlockUtils / V2SchemeConstants / V3SchemeConstants. */
const APK_SIG_BLOCK_MAGIC = Buffer.from('APK Sig Block 42', 'latin1');
const V2_BLOCK_ID = 0x7109871a;
const V3_BLOCK_ID = 0xf05368c0;
/** v2 additional attribute: the other schemes this APK is signed with, so stripping v3 is detected. */
const STRIPPING_PROTECTION_ATTR_ID = 0xbeeff00d;
const V3_SCHEME_ID = 3;
const PROOF_OF_ROTATION_ATTR_ID = 0x3ba06f8c;
/** V3SigningCertificateLineage.CURRENT_VERSION. */
const LINEAGE_VERSION = 1;
/**
 * SigningCertificateLineage default capabilities of a past signer: installed data, shared user id, permission
 * and auth, not rollback (PAST_CERT_INSTALLED_DATA 1 | SHARED_USER_ID 2 | PERMISSION 4 | AUTH 16).
 */
const LINEAGE_DEFAULT_FLAGS = 0x17;
const MAX_SDK = 0x7fffffff;
/** Android P, the first release that reads v3 (apksig AndroidSdkVersion.P). */
const SDK_P = 28;
/** apksig ApkSigningBlockUtils: content is digested in 1 MiB chunks. */
const CHUNK_SIZE = 1024 * 1024;
const EOCD_SIZE = 22;

/** apksig SignatureAlgorithm ids; both digest the content with CHUNKED_SHA256. */
const RSA_PKCS1_V1_5_WITH_SHA256 = 0x0103;
const ECDSA_WITH_SHA256 = 0x0201;

type Signer = SigningKey & { algorithm: number; spki: Buffer; sha256: string };

/** The signature algorithm for a key (apksig DefaultApkSignerEngine's choice for RSA and EC P-256 keys). */
function prepare(key: SigningKey): Signer {
  if (!key || typeof key !== 'object' || !Buffer.isBuffer(key.certificate))
    throw new ApkBuildError('build_invalid_signer', 'a signer needs a privateKey and a DER certificate');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(key.certificate);
  } catch {
    throw new ApkBuildError('build_invalid_signer', 'a signer certificate is not DER X.509');
  }
  if (key.privateKey?.type !== 'private')
    throw new ApkBuildError('build_invalid_signer', 'a signer privateKey is not a private KeyObject');
  if (!cert.checkPrivateKey(key.privateKey))
    throw new ApkBuildError('build_invalid_signer', 'a signer privateKey does not match its certificate');
  const details = key.privateKey.asymmetricKeyDetails ?? {};
  let algorithm: number;
  if (key.privateKey.asymmetricKeyType === 'rsa' && (details.modulusLength ?? 0) >= 2048)
    algorithm = RSA_PKCS1_V1_5_WITH_SHA256;
  else if (key.privateKey.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1')
    algorithm = ECDSA_WITH_SHA256;
  else
    throw new ApkBuildError('build_invalid_signer', 'only RSA (≥ 2048 bits) and EC P-256 keys are supported');
  // apksig compares the signer's public key record with the certificate's encoded key, so take the latter.
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const sha256 = createHash('sha256').update(key.certificate).digest('hex');
  return { ...key, algorithm, spki, sha256 };
}

const signWith = (s: Signer, data: Buffer): Buffer =>
  // ECDSA: DER-encoded (r, s), what Java's SHA256withECDSA produces; RSA: PKCS#1 v1.5 padding (node's default).
  sign('sha256', data, s.privateKey);

/** The end of central directory record of an unsigned ZIP without a comment (what writeZip produces). */
function locate(zip: Buffer): { cdOffset: number; eocdOffset: number } {
  const eocdOffset = zip.length - EOCD_SIZE;
  if (
    eocdOffset < 0 ||
    zip.readUInt32LE(eocdOffset) !== 0x06054b50 ||
    zip.readUInt16LE(eocdOffset + 20) !== 0
  )
    throw new ApkBuildError('build_invalid_zip', 'not an unsigned ZIP ending in a comment-less EOCD');
  const cdOffset = zip.readUInt32LE(eocdOffset + 16);
  if (cdOffset + zip.readUInt32LE(eocdOffset + 12) !== eocdOffset)
    throw new ApkBuildError('build_invalid_zip', 'the central directory does not end at the EOCD');
  if (cdOffset >= 24 && zip.subarray(cdOffset - 16, cdOffset).equals(APK_SIG_BLOCK_MAGIC))
    throw new ApkBuildError('build_invalid_zip', 'the APK already has an APK Signing Block');
  return { cdOffset, eocdOffset };
}

/**
 * CHUNKED_SHA256 (apksig ApkSigningBlockUtils.computeContentDigests): the ZIP entries, the central directory
 * and the EOCD are cut into 1 MiB chunks (never across sections); each chunk digested as
 * SHA-256(0xa5 ‖ uint32 length ‖ chunk), the whole as SHA-256(0x5a ‖ uint32 count ‖ chunk digests…). The EOCD
 * is digested with the central directory offset pointing at the signing block, i.e. as in the unsigned file.
 */
function contentDigest(zip: Buffer, cdOffset: number, eocdOffset: number): Buffer {
  const sections = [zip.subarray(0, cdOffset), zip.subarray(cdOffset, eocdOffset), zip.subarray(eocdOffset)];
  const digests: Buffer[] = [];
  for (const section of sections) {
    for (let at = 0; at < section.length; at += CHUNK_SIZE) {
      const piece = section.subarray(at, Math.min(at + CHUNK_SIZE, section.length));
      const prefix = Buffer.concat([Buffer.from([0xa5]), u32(piece.length)]);
      digests.push(createHash('sha256').update(prefix).update(piece).digest());
    }
  }
  return createHash('sha256')
    .update(Buffer.concat([Buffer.from([0x5a]), u32(digests.length)]))
    .update(Buffer.concat(digests))
    .digest();
}

/** An additional attribute: uint32 id, then its value. */
const attribute = (id: number, value: Buffer): Buffer => Buffer.concat([u32(id), value]);

/**
 * One signer record (source.android.com "APK Signature Scheme v2/v3"; apksig V2SchemeSigner, V3SchemeSigner):
 *   signed data = digests (uint32 algorithm, digest), certificates, [v3: uint32 minSdk, uint32 maxSdk,]
 *                 additional attributes — each a length-prefixed sequence of length-prefixed records;
 *   then [v3: minSdk, maxSdk], signatures over the signed data (uint32 algorithm, signature), public key.
 */
function signerRecord(
  s: Signer,
  digest: Buffer,
  attributes: Buffer[],
  v3?: { minSdk: number; maxSdk: number },
): Buffer {
  const sdk = v3 ? Buffer.concat([u32(v3.minSdk), u32(v3.maxSdk)]) : Buffer.alloc(0);
  const digests = lengthPrefixed(sequence([Buffer.concat([u32(s.algorithm), lengthPrefixed(digest)])]));
  const certificates = lengthPrefixed(sequence([s.certificate]));
  const attrs = lengthPrefixed(sequence(attributes));
  const signedData = Buffer.concat([digests, certificates, sdk, attrs]);
  const signatures = sequence([Buffer.concat([u32(s.algorithm), lengthPrefixed(signWith(s, signedData))])]);
  return Buffer.concat([lengthPrefixed(signedData), sdk, lengthPrefixed(signatures), lengthPrefixed(s.spki)]);
}

/**
 * The proof-of-rotation record (apksig V3SigningCertificateLineage.encodeSigningCertificateLineage): uint32
 * version, then per certificate, oldest first, a length-prefixed node of
 *   signed data (length-prefixed: the certificate, length-prefixed; uint32 algorithm its parent signed it with),
 *   uint32 flags, uint32 algorithm this node signs the next one with (0 for the last), signature by the parent
 *   over the signed data (empty for the first).
 */
function encodeLineage(chain: Signer[]): Buffer {
  const nodes = chain.map((s, i) => {
    const parent = i > 0 ? chain[i - 1]! : null;
    const signedData = Buffer.concat([lengthPrefixed(s.certificate), u32(parent ? parent.algorithm : 0)]);
    const signature = parent ? signWith(parent, signedData) : Buffer.alloc(0);
    const next = i + 1 < chain.length ? s.algorithm : 0;
    return Buffer.concat([
      lengthPrefixed(signedData),
      u32(LINEAGE_DEFAULT_FLAGS),
      u32(next),
      lengthPrefixed(signature),
    ]);
  });
  return Buffer.concat([u32(LINEAGE_VERSION), sequence(nodes)]);
}

/**
 * The APK Signing Block (apksig ApkSigningBlockUtils.generateApkSigningBlock): uint64 size, ID-value pairs
 * (uint64 length, uint32 id, value), uint64 size again, the magic. Size counts everything but the first field.
 */
function signingBlock(pairs: Array<[number, Buffer]>): Buffer {
  const body = Buffer.concat(
    pairs.map(([id, value]) => Buffer.concat([u64(4 + value.length), u32(id), value])),
  );
  const size = body.length + 8 + APK_SIG_BLOCK_MAGIC.length;
  return Buffer.concat([u64(size), body, u64(size), APK_SIG_BLOCK_MAGIC]);
}

/**
 * Signs an unsigned APK with APK Signature Scheme v2 and/or v3: the signing block goes right before the central
 * directory, and the EOCD's central directory offset moves past it (the rest of the file is unchanged).
 */
export function signApk(unsigned: Buffer, options: SignApkOptions): Buffer {
  const withV2 = options.v2 ?? true;
  const withV3 = options.v3 ?? true;
  if (!withV2 && !withV3) throw new ApkBuildError('build_invalid_signer', 'neither v2 nor v3 requested');
  if (!Array.isArray(options.signers) || options.signers.length === 0 || options.signers.length > 10)
    throw new ApkBuildError('build_invalid_signer', 'between 1 and 10 signers are needed');
  const signers = options.signers.map(prepare);
  if (new Set(signers.map((s) => s.sha256)).size !== signers.length)
    throw new ApkBuildError('build_invalid_signer', 'a signer is given twice');

  let lineage: Signer[] | null = null;
  if (options.lineage !== undefined) {
    if (!withV3) throw new ApkBuildError('build_invalid_lineage', 'a lineage needs the v3 scheme');
    if (!Array.isArray(options.lineage) || options.lineage.length < 2 || options.lineage.length > 10)
      throw new ApkBuildError('build_invalid_lineage', 'a lineage has 2 to 10 signers');
    lineage = options.lineage.map(prepare);
    const known = new Set(lineage.map((s) => s.sha256));
    if (known.size !== lineage.length)
      throw new ApkBuildError('build_invalid_lineage', 'a certificate appears twice in the lineage');
    // apksig ApkVerifier: the v2 signer of a rotated APK must be a past signer of the v3 one.
    if (withV2 && signers.some((s) => !known.has(s.sha256)))
      throw new ApkBuildError('build_invalid_lineage', 'a v2 signer is not in the lineage');
  } else if (withV3 && signers.length !== 1) {
    throw new ApkBuildError('build_invalid_signer', 'v3 takes one signer (or a lineage)');
  }
  const minSdk = options.v3MinSdk ?? SDK_P;
  const maxSdk = options.v3MaxSdk ?? MAX_SDK;
  if (
    !Number.isInteger(minSdk) ||
    !Number.isInteger(maxSdk) ||
    minSdk < 1 ||
    minSdk > maxSdk ||
    maxSdk > MAX_SDK
  )
    throw new ApkBuildError('build_invalid_signer', `v3 SDK range ${minSdk}…${maxSdk} is invalid`);

  const { cdOffset, eocdOffset } = locate(unsigned);
  const digest = contentDigest(unsigned, cdOffset, eocdOffset);
  const pairs: Array<[number, Buffer]> = [];
  if (withV2) {
    const attributes = withV3 ? [attribute(STRIPPING_PROTECTION_ATTR_ID, u32(V3_SCHEME_ID))] : [];
    const records = signers.map((s) => signerRecord(s, digest, attributes));
    // The block's value: a length-prefixed sequence of length-prefixed signers.
    pairs.push([V2_BLOCK_ID, lengthPrefixed(sequence(records))]);
  }
  if (withV3) {
    const signer = lineage ? lineage.at(-1)! : signers[0]!;
    const attributes = lineage ? [attribute(PROOF_OF_ROTATION_ATTR_ID, encodeLineage(lineage))] : [];
    pairs.push([
      V3_BLOCK_ID,
      lengthPrefixed(sequence([signerRecord(signer, digest, attributes, { minSdk, maxSdk })])),
    ]);
  }
  const block = signingBlock(pairs);
  const eocd = Buffer.from(unsigned.subarray(eocdOffset));
  eocd.writeUInt32LE(cdOffset + block.length, 16);
  return Buffer.concat([
    unsigned.subarray(0, cdOffset),
    block,
    unsigned.subarray(cdOffset, eocdOffset),
    eocd,
  ]);
}
