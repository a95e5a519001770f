import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  appendNodes,
  appendSiblings,
  MAX_PROOF_HASHES,
  MemoryLog,
  consistencyProof,
  inclusionProof,
  leafHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type NodeId,
  type NodeStore,
} from './merkle.js';

/*
 * Known answers from transparency-dev/merkle (Apache-2.0), proof/verify_test.go at commit
 * 02194e9afb6c1d95b5381350007963aa70fff472 — the vectors Certificate Transparency's C++ and Go
 * implementations have carried since RFC 6962 (the eight leaves, the roots of the trees of 1…8 leaves, and
 * the inclusion and consistency paths). The corruption probes below follow that file's corruptInclusionProof
 * and corruptConsistencyProof.
 */
const h = (hex: string): Buffer => Buffer.from(hex, 'hex');

const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(h);

/** roots[i]: the root of the tree of the first i + 1 leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map(h);

/** Upstream numbers leaves from 1: {leaf: 1, size: 8} is our index 0. */
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  { index: 0, size: 1, proof: [] },
].map((v) => ({ ...v, proof: v.proof.map(h) }));

const CONSISTENCY = [
  { size1: 1, size2: 1, proof: [] },
  {
    size1: 1,
    size2: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
].map((v) => ({ ...v, proof: v.proof.map(h) }));

const SOME_HASH = h('abacaba000000000000000000000000000000000000000000060061e00123456');

function upstreamLog(): MemoryLog {
  const log = new MemoryLog();
  for (const leaf of LEAVES) log.append(leaf);
  return log;
}

const root = (size: number): Buffer => ROOTS[size - 1]!;
const flip = (proof: readonly Buffer[], i: number, bit: number): Buffer[] =>
  proof.map((p, j) => (j === i ? Buffer.from([p[0]! ^ bit, ...p.subarray(1)]) : p));

describe('tree hashes (RFC 9162 §2.1.1)', () => {
  it('gives the upstream roots for the trees of 1…8 leaves, through every size of one log', async () => {
    const log = new MemoryLog();
    for (const [i, leaf] of LEAVES.entries()) {
      log.append(leaf);
      expect(log.root().toString('hex')).toBe(ROOTS[i]!.toString('hex'));
    }
    for (let size = 1; size <= 8; size++) expect(await treeRoot(log, size)).toEqual(root(size));
    expect(rootFromLeafHashes(LEAVES.slice(0, 5).map(leafHash))).toEqual(root(5));
  });

  it('hashes the empty tree to SHA-256 of the empty string', async () => {
    expect(EMPTY_ROOT.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await treeRoot(new MemoryLog(), 0)).toEqual(EMPTY_ROOT);
  });

  it('refuses a root beyond the stored leaves', async () => {
    await expect(treeRoot(upstreamLog(), 9)).rejects.toMatchObject({ code: 'tlog_size_invalid' });
  });
});

describe('inclusion proofs (RFC 9162 §2.1.3)', () => {
  it.each(INCLUSION)('generates and verifies the upstream path of leaf $index in $size', async (v) => {
    const log = upstreamLog();
    expect(await inclusionProof(log, v.index, v.size)).toEqual(v.proof);
    const leaf = leafHash(LEAVES[v.index]!);
    expect(verifyInclusion(v.index, v.size, leaf, v.proof, root(v.size))).toEqual({ ok: true });
  });

  it.each(INCLUSION.filter((v) => v.size > 1))('refuses every corruption of leaf $index in $size', (v) => {
    const leaf = leafHash(LEAVES[v.index]!);
    const r = root(v.size);
    const bad: [number, number, Uint8Array, readonly Uint8Array[], Uint8Array][] = [
      [v.index - 1, v.size, leaf, v.proof, r],
      [v.index + 1, v.size, leaf, v.proof, r],
      [v.index ^ 2, v.size, leaf, v.proof, r],
      [v.index, v.size * 2, leaf, v.proof, r],
      [v.index, Math.floor(v.size / 2), leaf, v.proof, r],
      [v.index, v.size, Buffer.from('WrongLeaf'), v.proof, r],
      [v.index, v.size, leaf, v.proof, EMPTY_ROOT],
      [v.index, v.size, leaf, v.proof, SOME_HASH],
      [v.index, v.size, leaf, [...v.proof, Buffer.alloc(0)], r],
      [v.index, v.size, leaf, [...v.proof, r], r],
      [v.index, v.size, leaf, [Buffer.alloc(0), ...v.proof], r],
      [v.index, v.size, leaf, [r, ...v.proof], r],
      [v.index, v.size, leaf, v.proof.slice(0, -1), r],
      [v.index, v.size, leaf, [v.proof[0]!, SOME_HASH, ...v.proof.slice(1)], r],
      ...v.proof.map((_, i): [number, number, Uint8Array, Buffer[], Uint8Array] => [
        v.index,
        v.size,
        leaf,
        flip(v.proof, i, 8),
        r,
      ]),
    ];
    for (const args of bad) expect(verifyInclusion(...args).ok).toBe(false);
  });

  it('gives typed failures for hostile input, without throwing', () => {
    const leaf = leafHash(LEAVES[0]!);
    const huge = Array.from({ length: MAX_PROOF_HASHES + 1 }, () => SOME_HASH);
    expect(verifyInclusion(0, 8, leaf, huge, root(8))).toEqual({ ok: false, code: 'tlog_proof_too_long' });
    expect(verifyInclusion(8, 8, leaf, [], root(8))).toEqual({ ok: false, code: 'tlog_index_out_of_range' });
    expect(verifyInclusion(-1, 8, leaf, [], root(8)).ok).toBe(false);
    expect(verifyInclusion(0, 0, leaf, [], EMPTY_ROOT)).toEqual({ ok: false, code: 'tlog_size_invalid' });
    expect(verifyInclusion(0, 2 ** 60, leaf, [], root(8))).toEqual({ ok: false, code: 'tlog_size_invalid' });
    expect(verifyInclusion(0.5, 8, leaf, [], root(8)).ok).toBe(false);
    expect(verifyInclusion(0, 8, leaf, ['x' as unknown as Buffer], root(8))).toEqual({
      ok: false,
      code: 'tlog_hash_length',
    });
    expect(verifyInclusion(0, 8, leaf, null as unknown as Buffer[], root(8)).ok).toBe(false);
    expect(rootFromInclusionProof(0, 1, leaf, [])).toEqual({ ok: true, root: leaf });
  });

  it('checks the single-entry tree as upstream does (root = leaf, empty proof)', () => {
    const hash = leafHash(Buffer.from('data'));
    expect(verifyInclusion(0, 1, hash, [], hash).ok).toBe(true);
    expect(verifyInclusion(0, 1, hash, [], Buffer.alloc(0)).ok).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], hash).ok).toBe(false);
  });

  it('proves every leaf of every tree up to 70 leaves (against the log as it was at that size)', async () => {
    const log = new MemoryLog();
    for (let i = 0; i < 70; i++) log.append(Buffer.from(`leaf ${i}`));
    for (let size = 1; size <= 70; size++) {
      const r = await treeRoot(log, size);
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(log, index, size);
        const leaf = leafHash(Buffer.from(`leaf ${index}`));
        expect(verifyInclusion(index, size, leaf, proof, r).ok).toBe(true);
      }
    }
  });
});

describe('consistency proofs (RFC 9162 §2.1.4)', () => {
  it.each(CONSISTENCY)('generates and verifies the upstream proof $size1 → $size2', async (v) => {
    expect(await consistencyProof(upstreamLog(), v.size1, v.size2)).toEqual(v.proof);
    expect(verifyConsistency(v.size1, v.size2, v.proof, root(v.size1), root(v.size2))).toEqual({ ok: true });
  });

  it.each(CONSISTENCY.filter((v) => v.proof.length > 0))(
    'refuses every corruption of $size1 → $size2',
    (v) => {
      const [r1, r2] = [root(v.size1), root(v.size2)];
      const wrong = Buffer.alloc(32, 7);
      const bad: [number, number, readonly Uint8Array[], Uint8Array, Uint8Array][] = [
        [v.size1 - 1, v.size2, v.proof, r1, r2],
        [v.size1 + 1, v.size2, v.proof, r1, r2],
        [v.size1 ^ 2, v.size2, v.proof, r1, r2],
        [v.size1, v.size2 * 2, v.proof, r1, r2],
        [v.size1, Math.floor(v.size2 / 2), v.proof, r1, r2],
        [v.size1, v.size2, v.proof, wrong, r2],
        [v.size1, v.size2, v.proof, r1, wrong],
        [v.size1, v.size2, v.proof, r2, r1],
        [v.size1, v.size2, [], r1, r2],
        [v.size1, v.size2, [...v.proof, Buffer.alloc(0)], r1, r2],
        [v.size1, v.size2, [...v.proof, r1], r1, r2],
        [v.size1, v.size2, [...v.proof, r2], r1, r2],
        [v.size1, v.size2, [Buffer.alloc(0), ...v.proof], r1, r2],
        [v.size1, v.size2, [r1, ...v.proof], r1, r2],
        [v.size1, v.size2, [r2, ...v.proof], r1, r2],
        [v.size1, v.size2, [v.proof[0]!, ...v.proof], r1, r2],
        [v.size1, v.size2, v.proof.slice(0, -1), r1, r2],
        ...v.proof.map((_, i): [number, number, Buffer[], Uint8Array, Uint8Array] => [
          v.size1,
          v.size2,
          flip(v.proof, i, 16),
          r1,
          r2,
        ]),
      ];
      for (const args of bad) expect(verifyConsistency(...args).ok).toBe(false);
    },
  );

  it('decides the trivial cases as upstream does', () => {
    const [a, b] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    expect(verifyConsistency(0, 0, [], a, b).ok).toBe(false);
    expect(verifyConsistency(1, 1, [], a, b).ok).toBe(false);
    expect(verifyConsistency(0, 0, [], a, a).ok).toBe(true);
    expect(verifyConsistency(0, 1, [], a, b).ok).toBe(true);
    expect(verifyConsistency(1, 1, [], b, b).ok).toBe(true);
    expect(verifyConsistency(1, 0, [], a, b)).toEqual({ ok: false, code: 'tlog_size_invalid' });
    expect(verifyConsistency(2, 1, [], a, b).ok).toBe(false);
    expect(verifyConsistency(1, 2, [], a, b).ok).toBe(false);
    expect(verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT).ok).toBe(false);
    expect(verifyConsistency(1, 1, [EMPTY_ROOT], EMPTY_ROOT, EMPTY_ROOT).ok).toBe(false);
    const huge = Array.from({ length: MAX_PROOF_HASHES + 1 }, () => a);
    expect(verifyConsistency(3, 2 ** 40, huge, a, b)).toEqual({ ok: false, code: 'tlog_proof_too_long' });
  });

  it('proves every pair of sizes up to 40 leaves', async () => {
    const log = new MemoryLog();
    for (let i = 0; i < 40; i++) log.append(Buffer.from([i]));
    for (let s2 = 1; s2 <= 40; s2++) {
      const r2 = await treeRoot(log, s2);
      for (let s1 = 0; s1 <= s2; s1++) {
        const proof = await consistencyProof(log, s1, s2);
        expect(verifyConsistency(s1, s2, proof, await treeRoot(log, s1), r2).ok).toBe(true);
      }
    }
  });
});

describe('proofs from a stored log (NodeStore)', () => {
  it('asks for at most 2·log2(n) perfect subtrees, in one batch', async () => {
    const memory = new MemoryLog();
    for (let i = 0; i < 1000; i++) memory.append(Buffer.from(`apk ${i}`));
    const batches: NodeId[][] = [];
    const store: NodeStore = {
      size: async () => Promise.resolve(memory.size),
      nodeHashes: async (ids) => {
        batches.push([...ids]);
        return Promise.resolve(memory.nodeHashes(ids));
      },
    };
    const proof = await inclusionProof(store, 999, 1000);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
    expect(verifyInclusion(999, 1000, leafHash(Buffer.from('apk 999')), proof, memory.root()).ok).toBe(true);
    await consistencyProof(store, 333, 1000);
    expect(batches[1]!.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
  });

  it('refuses a store that returns junk', async () => {
    const store: NodeStore = { size: 8, nodeHashes: (ids) => ids.map(() => Buffer.alloc(3)) };
    await expect(inclusionProof(store, 0, 8)).rejects.toMatchObject({ code: 'tlog_storage_invalid' });
    await expect(inclusionProof(upstreamLog(), 8, 8)).rejects.toMatchObject({
      code: 'tlog_index_out_of_range',
    });
  });
});

describe('appending to a stored log (appendSiblings, appendNodes)', () => {
  it('fills a table of (level, index) rows from which proofs equal the in-memory log’s', async () => {
    const rows = new Map<string, Uint8Array>();
    const memory = new MemoryLog();
    let size = 0;
    const table: NodeStore = {
      size: () => size,
      nodeHashes: (ids) => ids.map(({ level, index }) => rows.get(`${level}/${index}`) ?? Buffer.alloc(0)),
    };
    for (let i = 0; i < 100; i++) {
      const leaf = leafHash(Buffer.from(`apk ${i}`));
      const siblings = await table.nodeHashes(appendSiblings(i));
      for (const { id, hash } of appendNodes(i, leaf, siblings)) rows.set(`${id.level}/${id.index}`, hash);
      size += 1;
      memory.appendLeafHash(leaf);
    }
    // Every perfect subtree once: n leaves make 2n − popcount(n) rows.
    expect(rows.size).toBe(2 * 100 - 3);
    expect(await treeRoot(table, 100)).toEqual(memory.root());
    expect(await inclusionProof(table, 37, 91)).toEqual(await inclusionProof(memory, 37, 91));
    expect(await consistencyProof(table, 13, 100)).toEqual(await consistencyProof(memory, 13, 100));
  });

  it('names the siblings by the trailing one bits of the index', () => {
    expect(appendSiblings(0)).toEqual([]);
    expect(appendSiblings(6)).toEqual([]);
    expect(appendSiblings(7)).toEqual([
      { level: 0, index: 6 },
      { level: 1, index: 2 },
      { level: 2, index: 0 },
    ]);
    expect(() => appendNodes(7, Buffer.alloc(32), [Buffer.alloc(32)])).toThrow();
  });
});
