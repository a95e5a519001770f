import { createHash, type Hash } from 'node:crypto';
import type { ByteSource } from '../byte-source.js';
import type { ContentDigestAlgorithm } from './algorithms.js';

/** 1 MiB: the chunk of APK Signature Scheme v2's content digest (ApkSigningBlockUtils CONTENT_DIGESTED_CHUNK_MAX_SIZE_BYTES). */
const CHUNK = 1 << 20;
/** 4 KiB: the page of the fs-verity Merkle tree (apksig VerityTreeBuilder CHUNK_SIZE). */
const PAGE = 4096;
/** Every tree hash is salted with 8 zero bytes (apksig ApkSigningBlockUtils.computeApkVerityDigest). */
const VERITY_SALT = Buffer.alloc(8);

/**
 * What is digested (APK Signature Scheme v2, "Integrity-protected contents"): the ZIP entries before the APK
 * Signing Block, the central directory, and the EOCD with its central directory offset replaced by the
 * block's offset — as if the block were not there.
 */
export type SignedSections = {
  blockOffset: number;
  cdOffset: number;
  cdSize: number;
  /** The EOCD record and comment, already with the offset replaced. */
  eocd: Buffer;
};

type Chunked = { algorithm: 'sha256' | 'sha512'; digests: Buffer[] };

/** The leaf level of the verity tree, filled page by page as the data streams past. */
class VerityLeaves {
  private readonly carry = Buffer.alloc(PAGE);
  private carried = 0;
  private readonly leaves: Buffer;
  private count = 0;

  constructor(totalLength: number) {
    this.leaves = Buffer.alloc(Math.ceil(totalLength / PAGE) * 32);
  }

  update(data: Buffer): void {
    let pos = 0;
    if (this.carried > 0) {
      const take = Math.min(PAGE - this.carried, data.length);
      data.copy(this.carry, this.carried, 0, take);
      this.carried += take;
      pos = take;
      if (this.carried < PAGE) return;
      this.leaf(this.carry);
      this.carried = 0;
    }
    for (; pos + PAGE <= data.length; pos += PAGE) this.leaf(data.subarray(pos, pos + PAGE));
    if (pos < data.length) {
      data.copy(this.carry, 0, pos);
      this.carried = data.length - pos;
    }
  }

  private leaf(page: Buffer): void {
    createHash('sha256')
      .update(VERITY_SALT)
      .update(page)
      .digest()
      .copy(this.leaves, this.count++ * 32);
  }

  /** The tree's root hash: each level is the salted SHA-256 of each (zero-padded) page of the level below. */
  root(): Buffer {
    if (this.carried > 0) {
      this.carry.fill(0, this.carried);
      this.leaf(this.carry);
      this.carried = 0;
    }
    let level = this.leaves.subarray(0, this.count * 32);
    while (level.length > PAGE) {
      const next = Buffer.alloc(Math.ceil(level.length / PAGE) * 32);
      for (let i = 0; i < level.length; i += PAGE)
        hashPadded(level.subarray(i, i + PAGE)).copy(next, (i / PAGE) * 32);
      level = next;
    }
    return hashPadded(level);
  }
}

function hashPadded(page: Buffer): Buffer {
  const h = createHash('sha256').update(VERITY_SALT).update(page);
  if (page.length < PAGE) h.update(Buffer.alloc(PAGE - page.length));
  return h.digest();
}

/**
 * Computes every requested content digest in one pass over the APK (ApkSigningBlockUtils.computeContentDigests):
 * - CHUNKED_SHA256/512: each section cut into 1 MiB chunks; each chunk digested as 0xa5 | uint32 length | data;
 *   the digest is that of 0x5a | uint32 chunk count | the chunk digests.
 * - VERITY_CHUNKED_SHA256: the root of a SHA-256 Merkle tree over 4 KiB pages of the three sections as one
 *   stream (salted), then the uint64 length of that stream (ApkSigningBlockUtils.computeApkVerityDigest).
 * Reads `sliceSize` bytes at a time (a multiple of 1 MiB), the next slice while the current one is hashed; the
 * chunk hashes run over views of the slice, so nothing is copied but the odd verity page straddling two slices.
 */
export async function computeContentDigests(
  source: ByteSource,
  sections: SignedSections,
  algorithms: ReadonlySet<ContentDigestAlgorithm>,
  sliceSize = 8 * CHUNK,
): Promise<Map<ContentDigestAlgorithm, Buffer>> {
  const slice = Math.max(CHUNK, Math.floor(sliceSize / CHUNK) * CHUNK);
  const chunked = new Map<ContentDigestAlgorithm, Chunked>();
  if (algorithms.has('CHUNKED_SHA256')) chunked.set('CHUNKED_SHA256', { algorithm: 'sha256', digests: [] });
  if (algorithms.has('CHUNKED_SHA512')) chunked.set('CHUNKED_SHA512', { algorithm: 'sha512', digests: [] });
  const totalLength = sections.blockOffset + sections.cdSize + sections.eocd.length;
  const verity = algorithms.has('VERITY_CHUNKED_SHA256') ? new VerityLeaves(totalLength) : null;
  const prefix = Buffer.alloc(5);
  prefix[0] = 0xa5;

  const digestSlice = (data: Buffer): void => {
    if (chunked.size > 0)
      for (let pos = 0; pos < data.length; pos += CHUNK) {
        const chunk = data.subarray(pos, pos + CHUNK);
        prefix.writeUInt32LE(chunk.length, 1);
        for (const c of chunked.values())
          c.digests.push(createHash(c.algorithm).update(prefix).update(chunk).digest());
      }
    verity?.update(data);
  };

  const ranges: Array<[number, number]> = [
    [0, sections.blockOffset],
    [sections.cdOffset, sections.cdOffset + sections.cdSize],
  ];
  for (const [start, end] of ranges) {
    let next: Promise<Buffer> | null = start < end ? source.read(start, Math.min(slice, end - start)) : null;
    for (let pos = start; next;) {
      const data = await next;
      pos += data.length;
      next = pos < end ? source.read(pos, Math.min(slice, end - pos)) : null;
      // An unobserved rejection of the prefetch would crash the process; it is awaited on the next turn.
      next?.catch(() => undefined);
      digestSlice(data);
    }
  }
  digestSlice(sections.eocd);

  const out = new Map<ContentDigestAlgorithm, Buffer>();
  for (const [name, c] of chunked) {
    const top: Hash = createHash(c.algorithm);
    const head = Buffer.alloc(5);
    head[0] = 0x5a;
    head.writeUInt32LE(c.digests.length, 1);
    top.update(head);
    for (const d of c.digests) top.update(d);
    out.set(name, top.digest());
  }
  if (verity) {
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(totalLength));
    out.set('VERITY_CHUNKED_SHA256', Buffer.concat([verity.root(), length]));
  }
  return out;
}
