import type { ByteSource } from '../byte-source.js';
import type { Eocd } from '../zip/eocd.js';
import { ApkSignatureError } from './apk-signature-errors.js';

/** Block ids of the APK Signing Block's ID-value pairs (apksig V2SchemeConstants, V3SchemeConstants). */
export const V2_BLOCK_ID = 0x7109871a;
export const V3_BLOCK_ID = 0xf05368c0;
/** APK Signature Scheme v3.1 (Android 13+, apksig V3SchemeConstants.APK_SIGNATURE_SCHEME_V31_BLOCK_ID). */
export const V31_BLOCK_ID = 0x1b93ad61;

/** "APK Sig Block 42", the last 16 bytes of the block (ApkSigningBlockUtils APK_SIG_BLOCK_MAGIC_LO/HI). */
const MAGIC = Buffer.from('APK Sig Block 42', 'ascii');
/** uint64 size + 16-byte magic. */
const FOOTER_SIZE = 24;
/** uint64 size, the footer: the smallest block with no pairs (APK_SIG_BLOCK_MIN_SIZE). */
const MIN_BLOCK_SIZE = 32;

export type SigningBlock = {
  /** Offset of the block in the file: what the EOCD's central directory offset is replaced with when digesting. */
  offset: number;
  size: number;
  /** The value of each ID-value pair, by id; the first pair wins, as in apksig's findApkSignatureSchemeBlock. */
  pairs: Map<number, Buffer>;
};

export type SigningBlockLimits = { maxSigningBlockSize: number; maxPairs: number };

/**
 * Finds the APK Signing Block right before the central directory (APK Signature Scheme v2, "APK Signing Block";
 * apksig ApkUtils.findApkSigningBlock). null when there is none (no magic): the APK is at most v1-signed.
 * Past the magic everything must be consistent — both size fields equal, every pair's length inside the block —
 * or the block is refused: a damaged block is not the same as an absent one.
 */
export async function findSigningBlock(
  source: ByteSource,
  eocd: Eocd,
  limits: SigningBlockLimits,
): Promise<SigningBlock | null> {
  if (eocd.cdOffset < MIN_BLOCK_SIZE) return null;
  const footer = await source.read(eocd.cdOffset - FOOTER_SIZE, FOOTER_SIZE);
  if (!footer.subarray(8).equals(MAGIC)) return null;
  const sizeInFooter = footer.readBigUInt64LE(0);
  // The size field counts the block minus itself (8 bytes): the pairs and the footer.
  if (sizeInFooter < BigInt(FOOTER_SIZE) || sizeInFooter + 8n > BigInt(eocd.cdOffset))
    throw new ApkSignatureError(
      'signing_block_malformed',
      `APK Signing Block size out of range: ${sizeInFooter}`,
    );
  const size = Number(sizeInFooter) + 8;
  if (size > limits.maxSigningBlockSize)
    throw new ApkSignatureError(
      'limit_exceeded',
      `APK Signing Block of ${size} bytes (cap ${limits.maxSigningBlockSize})`,
    );
  const offset = eocd.cdOffset - size;
  const block = await source.read(offset, size);
  if (block.readBigUInt64LE(0) !== sizeInFooter)
    throw new ApkSignatureError(
      'signing_block_malformed',
      'APK Signing Block sizes in header and footer differ',
    );
  return { offset, size, pairs: parsePairs(block.subarray(8, size - FOOTER_SIZE), limits.maxPairs) };
}

/** ID-value pairs: uint64 length (of id + value), uint32 id, value (ApkSigningBlockUtils.findApkSignatureSchemeBlock). */
function parsePairs(pairs: Buffer, maxPairs: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let pos = 0;
  let count = 0;
  while (pos < pairs.length) {
    if (++count > maxPairs)
      throw new ApkSignatureError('limit_exceeded', `more than ${maxPairs} pairs in the APK Signing Block`);
    if (pairs.length - pos < 8)
      throw new ApkSignatureError('signing_block_malformed', `pair #${count}: no room for its length`);
    const length = pairs.readBigUInt64LE(pos);
    pos += 8;
    if (length < 4n || length > BigInt(pairs.length - pos))
      throw new ApkSignatureError('signing_block_malformed', `pair #${count}: length ${length} out of range`);
    const id = pairs.readUInt32LE(pos);
    const end = pos + Number(length);
    if (!out.has(id)) out.set(id, pairs.subarray(pos + 4, end));
    pos = end;
  }
  return out;
}
