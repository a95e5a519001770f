import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The Merkle tree of RFC 9162 §2.1 (the same tree as RFC 6962 and C2SP tlog-tiles): SHA-256, leaves and
 * interior nodes domain-separated by a 0x00 / 0x01 prefix so a leaf can never pass for a node (the
 * second-preimage attack of §2.1.1's note).
 *
 * Tree sizes and indexes are JavaScript numbers, checked to be safe integers: a log of 2^53 entries is out of
 * reach, and the arithmetic below uses division, never the 32-bit bitwise operators.
 */

export const HASH_SIZE = 32;
/**
 * An inclusion or consistency proof in a tree of n leaves has at most ⌈log2 n⌉ + 1 hashes, so 64 covers any
 * 64-bit tree size (transparency-dev/merkle's uint64). Longer proofs are refused before any hashing.
 */
export const MAX_PROOF_HASHES = 64;
/** The largest tree size we handle (Number.MAX_SAFE_INTEGER): every index arithmetic stays exact. */
export const MAX_TREE_SIZE = Number.MAX_SAFE_INTEGER;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 ‖ d(0)). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** RFC 9162 §2.1.1: SHA-256(0x01 ‖ MTH(left) ‖ MTH(right)). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** RFC 9162 §2.1.1: the hash of an empty tree is the hash of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

export type TlogErrorCode =
  | 'tlog_size_invalid'
  | 'tlog_index_out_of_range'
  | 'tlog_storage_invalid'
  | 'tlog_proof_too_long'
  | 'tlog_hash_length'
  | 'tlog_proof_length'
  | 'tlog_root_mismatch';

/** Misuse of the generating side (a size beyond the stored tree, a store that returns junk). */
export class TlogError extends Error {
  override readonly name = 'TlogError';
  constructor(
    readonly code: TlogErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_SIZE;

/** The largest power of two strictly below n (n ≥ 2): the split point k of RFC 9162 §2.1.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// ---------------------------------------------------------------------------------------------------------
// Storage: perfect subtrees
// ---------------------------------------------------------------------------------------------------------

/**
 * A perfect subtree: the 2^level leaves starting at index · 2^level. Level 0 is a leaf hash. Once the log
 * holds (index + 1) · 2^level leaves, the node's hash never changes again, so a store may memoise it forever
 * (the idea behind C2SP tlog-tiles and Trillian's node storage).
 */
export type NodeId = { readonly level: number; readonly index: number };

/**
 * What proof generation needs from storage: the hashes of complete perfect subtrees, in one batch (a database
 * answers it with one query). The store must know every node whose leaves it holds.
 */
export type NodeStore = {
  readonly size: number | (() => number | Promise<number>);
  nodeHashes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]> | readonly Uint8Array[];
};

/**
 * The perfect subtrees covering leaves [start, end), left to right. For every range that is a node of the
 * RFC 9162 tree (every range PATH and SUBPROOF below name), start is a multiple of the next power of two at
 * or above the length, so greedily taking the largest aligned block yields the binary digits of the length,
 * and MTH of the range is these hashes folded from the right: MTH(D[k:n]) splits at the largest power of two
 * below n exactly where the first block ends.
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    let width = 1;
    while (at % (width * 2) === 0 && at + width * 2 <= end) {
      width *= 2;
      level += 1;
    }
    out.push({ level, index: at / width });
    at += width;
  }
  return out;
}

/** Folds perfect-subtree hashes (left to right) into the MTH of the range they cover. */
export function foldRange(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** A proof, before the hashes are fetched: each element is the MTH of a range [start, end). */
export type ProofPlan = readonly { readonly start: number; readonly end: number }[];

/** RFC 9162 §2.1.3.1 PATH(m, D[n]), leaf-first, as ranges of the full tree. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  if (!isSize(size) || size === 0) throw new TlogError('tlog_size_invalid', `invalid tree size ${size}`);
  if (!isSize(index) || index >= size)
    throw new TlogError('tlog_index_out_of_range', `leaf ${index} is not in a tree of ${size}`);
  const out: { start: number; end: number }[] = [];
  let [lo, hi, m] = [0, size, index];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      out.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
    }
  }
  return out.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as ranges of the full tree. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  if (!isSize(size1) || !isSize(size2) || size1 > size2)
    throw new TlogError('tlog_size_invalid', `no consistency proof from ${size1} to ${size2}`);
  if (size1 === 0 || size1 === size2) return [];
  const out: { start: number; end: number }[] = [];
  let [lo, hi, m, b] = [0, size2, size1, true];
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!b) out.push({ start: lo, end: hi });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      out.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
      b = false;
    }
  }
  return out.reverse();
}

async function storeSize(store: NodeStore): Promise<number> {
  return typeof store.size === 'function' ? await store.size() : store.size;
}

/** Fetches every node a plan needs in one batch and folds each range. */
async function resolvePlan(store: NodeStore, plan: ProofPlan): Promise<Buffer[]> {
  const ranges = plan.map((r) => rangeNodes(r.start, r.end));
  const ids = ranges.flat();
  const hashes = ids.length === 0 ? [] : await store.nodeHashes(ids);
  if (hashes.length !== ids.length || hashes.some((h) => h.length !== HASH_SIZE))
    throw new TlogError('tlog_storage_invalid', 'the node store returned a wrong number or size of hashes');
  let at = 0;
  return ranges.map((r) => foldRange(hashes.slice(at, (at += r.length))));
}

async function checkSize(store: NodeStore, size: number): Promise<void> {
  const have = await storeSize(store);
  if (!isSize(size) || size > have)
    throw new TlogError('tlog_size_invalid', `tree size ${size} is beyond the stored ${have} leaves`);
}

/** MTH(D[0:size]) of a stored log: the root of the tree as it was at any earlier size. */
export async function treeRoot(store: NodeStore, size: number): Promise<Buffer> {
  await checkSize(store, size);
  const [root] = await resolvePlan(store, [{ start: 0, end: size }]);
  return root ?? EMPTY_ROOT;
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export async function inclusionProof(store: NodeStore, index: number, size: number): Promise<Buffer[]> {
  await checkSize(store, size);
  return resolvePlan(store, inclusionPlan(index, size));
}

/** The consistency proof between the trees of size1 and size2 leaves (RFC 9162 §2.1.4.1). */
export async function consistencyProof(store: NodeStore, size1: number, size2: number): Promise<Buffer[]> {
  await checkSize(store, size2);
  return resolvePlan(store, consistencyPlan(size1, size2));
}

/**
 * The left siblings that appending leaf `index` needs: one per level at which the new leaf's subtree is a
 * right child, i.e. one per trailing 1 bit of the index. A database fetches these (O(log n), one query)
 * inside the append's transaction.
 */
export function appendSiblings(index: number): NodeId[] {
  if (!isSize(index)) throw new TlogError('tlog_index_out_of_range', `invalid leaf index ${String(index)}`);
  const out: NodeId[] = [];
  for (let level = 0, i = index; i % 2 === 1; level++, i = (i - 1) / 2) out.push({ level, index: i - 1 });
  return out;
}

/**
 * The perfect subtrees that appending leaf `index` completes, the leaf itself first, with their hashes: the
 * rows a database inserts with the leaf. `siblings` are the hashes of appendSiblings(index), in its order.
 */
export function appendNodes(
  index: number,
  leaf: Uint8Array,
  siblings: readonly Uint8Array[],
): { id: NodeId; hash: Buffer }[] {
  const need = appendSiblings(index);
  if (leaf.length !== HASH_SIZE || siblings.length !== need.length || !siblings.every(isHash))
    throw new TlogError('tlog_hash_length', 'a leaf hash and its siblings are 32 bytes each, one per level');
  let node: Buffer = Buffer.from(leaf);
  const out = [{ id: { level: 0, index }, hash: node }];
  for (const [l, sibling] of siblings.entries()) {
    node = nodeHash(sibling, node);
    out.push({ id: { level: l + 1, index: need[l]!.index / 2 }, hash: node });
  }
  return out;
}

/**
 * The in-memory log: every perfect subtree memoised as it completes. Append is O(log n) worst case and O(1)
 * amortised (a leaf completes one node on average); a node lookup is O(1); memory is 2n hashes.
 *
 * The same layout in a database (the app store's): a table of leaf hashes (level 0) and a table of perfect
 * subtree hashes keyed by (level, index), written in the append's transaction. Each proof then reads at most
 * 2 · log2(n) nodes in one query: an inclusion or consistency proof has at most log2(n) + 1 elements, all
 * perfect subtrees except the ones on the tree's ragged right edge, whose range folds from at most log2(n)
 * perfect subtrees (rangeNodes). Without the memoised levels, a node of level l costs 2^l leaf reads, so a
 * proof would read O(n) leaves.
 */
export class MemoryLog implements NodeStore {
  /** levels[l][i]: hash of the perfect subtree (l, i). */
  private readonly levels: Buffer[][] = [[]];

  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends a leaf (its data, hashed here) and returns its index. */
  append(leaf: Uint8Array): number {
    return this.appendLeafHash(leafHash(leaf));
  }

  /** Appends an already computed leaf hash (as a database would replay its stored rows). */
  appendLeafHash(hash: Uint8Array): number {
    const index = this.size;
    const siblings = this.nodeHashes(appendSiblings(index));
    for (const { id, hash: h } of appendNodes(index, hash, siblings)) (this.levels[id.level] ??= []).push(h);
    return index;
  }

  nodeHashes(ids: readonly NodeId[]): Buffer[] {
    return ids.map(({ level, index }) => {
      const h = this.levels[level]?.[index];
      if (!h) throw new TlogError('tlog_index_out_of_range', `no node (${level}, ${index}) in the log`);
      return h;
    });
  }

  /** The current root, O(log n). */
  root(): Buffer {
    return foldRange(this.nodeHashes(rangeNodes(0, this.size)));
  }
}

/** MTH of a list of leaf hashes in one go (RFC 9162 §2.1.1), e.g. for a root from a subset of a batch. */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  const log = new MemoryLog();
  for (const h of hashes) log.appendLeafHash(h);
  return log.root();
}

// ---------------------------------------------------------------------------------------------------------
// Verification: defensive, never throws
// ---------------------------------------------------------------------------------------------------------

export type ProofCheck = { readonly ok: true } | { readonly ok: false; readonly code: TlogErrorCode };

const fail = (code: TlogErrorCode): ProofCheck => ({ ok: false, code });
const OK: ProofCheck = { ok: true };

function checkProofShape(proof: unknown): ProofCheck {
  if (!Array.isArray(proof)) return fail('tlog_proof_length');
  if (proof.length > MAX_PROOF_HASHES) return fail('tlog_proof_too_long');
  return proof.every(isHash) ? OK : fail('tlog_hash_length');
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/**
 * The root an inclusion proof leads to (RFC 9162 §2.1.3.2 steps 1–4), or a typed failure: index outside the
 * tree, a proof of the wrong length for (index, size), a hash that is not 32 bytes.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): { ok: true; root: Buffer } | { ok: false; code: TlogErrorCode } {
  const shape = checkProofShape(proof);
  if (!shape.ok) return shape;
  if (!isHash(leaf)) return { ok: false, code: 'tlog_hash_length' };
  if (!isSize(size) || size === 0) return { ok: false, code: 'tlog_size_invalid' };
  if (!isSize(index) || index >= size) return { ok: false, code: 'tlog_index_out_of_range' };
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return { ok: false, code: 'tlog_proof_length' };
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return { ok: false, code: 'tlog_proof_length' };
  return { ok: true, root: r };
}

/** RFC 9162 §2.1.3.2: whether `leaf` (a leaf hash) sits at `index` of the tree of `size` with this root. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofCheck {
  if (!isHash(root)) return fail('tlog_hash_length');
  const got = rootFromInclusionProof(index, size, leaf, proof);
  if (!got.ok) return got;
  return equal(got.root, root) ? OK : fail('tlog_root_mismatch');
}

/**
 * RFC 9162 §2.1.4.2: whether the tree of size2 with root2 extends the tree of size1 with root1. Equal sizes
 * need equal roots and an empty proof; every tree extends the empty one (as transparency-dev/merkle decides:
 * RFC 9162 leaves those two cases to the caller).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): ProofCheck {
  const shape = checkProofShape(proof);
  if (!shape.ok) return shape;
  if (!isHash(root1) || !isHash(root2)) return fail('tlog_hash_length');
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return fail('tlog_size_invalid');
  if (size1 === size2) {
    if (proof.length !== 0) return fail('tlog_proof_length');
    return equal(root1, root2) ? OK : fail('tlog_root_mismatch');
  }
  if (size1 === 0) return proof.length === 0 ? OK : fail('tlog_proof_length');
  if (proof.length === 0) return fail('tlog_proof_length');
  // Step 2: a power-of-two first tree is itself a node of the second; its root starts the path.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return fail('tlog_proof_length');
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return fail('tlog_proof_length');
  return equal(fr, root1) && equal(sr, root2) ? OK : fail('tlog_root_mismatch');
}

function isPowerOfTwo(n: number): boolean {
  let k = 1;
  while (k < n) k *= 2;
  return k === n;
}
