import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import {
  AppError,
  migrateDomains,
  openDatabase,
  platformDomain,
  rowsOf,
  sql,
  type DatabaseHandle,
} from '@pakawaaz/platform';
import { createTestDatabase, testLogger } from '@pakawaaz/test-support';
import {
  appendNodes,
  appendSiblings,
  leafHash,
  MemoryLog,
  parseVerifierKey,
  verifyCheckpoint,
  verifyCheckpointConsistency,
  verifyConsistency,
  verifyInclusion,
  type NoteSigner,
} from '@pakawaaz/transparency-log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appStoreDomain } from '../../src/app-store.domain.js';
import { apkLogLeaf } from '../../src/catalogue/catalogue-index.js';
import {
  TransparencyLogService,
  type LogEntryInput,
} from '../../src/transparency/transparency-log.service.js';

/*
 * The DB-backed log against the pure in-memory tree of @pakawaaz/transparency-log (itself tested against
 * RFC 9162 / transparency-dev vectors): same roots at every size, proofs that verify, appends that serialise,
 * and tampering that verification catches. On PostgreSQL (createTestDatabase) and on the embedded PGlite.
 */
const ORIGIN = 'pakawaaz.test/app-store/log';

function testSigner(): NoteSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { name: ORIGIN, publicKey: Buffer.from(x, 'base64url'), sign: (m) => sign(null, m, privateKey) };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entry = (n: number): LogEntryInput => ({
  versionId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  packageName: `gov.pk.app${n % 3}`,
  versionCode: n,
  apkSha256: sha(`apk ${n}`),
  signers: [sha(`signer ${n % 2}`)],
});
const leafOf = (e: LogEntryInput) =>
  leafHash(
    apkLogLeaf(e.packageName, {
      versionCode: e.versionCode,
      apkSha256: e.apkSha256,
      signers: [...e.signers],
    }),
  );
const unhex = (h: readonly string[]) => h.map((x) => Buffer.from(x, 'hex'));

type Backend = { name: string; open: () => Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> };
const backends: Backend[] = [
  { name: 'PostgreSQL', open: () => createTestDatabase([platformDomain, appStoreDomain]) },
  {
    name: 'PGlite',
    open: async () => {
      const handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
      await migrateDomains(handle, [platformDomain, appStoreDomain], testLogger);
      return { handle, drop: () => handle.close() };
    },
  },
];

describe.each(backends)('the APK transparency log on $name', ({ open }) => {
  let db: { handle: DatabaseHandle; drop: () => Promise<void> };
  let log: TransparencyLogService;
  const signer = testSigner();
  const memory = new MemoryLog();
  const notes: string[] = [];
  const verifier = () => parseVerifierKey(log.verifierKey());

  beforeAll(async () => {
    db = await open();
    log = new TransparencyLogService(db.handle, signer);
  });
  afterAll(async () => db?.drop());

  it('signs the empty tree first, then one checkpoint per append whose root is the in-memory tree’s', async () => {
    const empty = verifyCheckpoint(await log.latestCheckpoint(), verifier(), ORIGIN);
    expect(empty.ok && empty.checkpoint.size).toBe(0);
    notes.push(await log.latestCheckpoint());
    for (let n = 0; n < 13; n++) {
      expect(await log.append(entry(n))).toBe(n);
      memory.appendLeafHash(leafOf(entry(n)));
      const note = await log.latestCheckpoint();
      const c = verifyCheckpoint(note, verifier(), ORIGIN);
      if (!c.ok) throw new Error(c.message);
      expect(c.checkpoint.size).toBe(n + 1);
      expect(c.checkpoint.rootHash.toString('hex')).toBe(memory.root().toString('hex'));
      notes.push(note);
    }
    // A wrong origin or another key is refused.
    expect(verifyCheckpoint(notes[5]!, verifier(), 'other.log/x').ok).toBe(false);
    expect(
      verifyCheckpoint(
        notes[5]!,
        parseVerifierKey(new TransparencyLogService(db.handle, testSigner()).verifierKey()),
        ORIGIN,
      ).ok,
    ).toBe(false);
  });

  it('is idempotent by APK SHA-256: an APK approved again keeps its leaf', async () => {
    expect(await log.append({ ...entry(4), versionId: '00000000-0000-4000-8000-999999999999' })).toBe(4);
    const c = verifyCheckpoint(await log.latestCheckpoint(), verifier(), ORIGIN);
    expect(c.ok && c.checkpoint.size).toBe(13);
  });

  it('serves inclusion proofs of every leaf at every signed size, and consistency proofs between them', async () => {
    for (let size = 1; size <= 13; size++) {
      const c = verifyCheckpoint(notes[size]!, verifier(), ORIGIN);
      if (!c.ok) throw new Error(c.message);
      for (let i = 0; i < size; i++) {
        const r = await log.inclusion(entry(i).apkSha256, size);
        expect(r).toMatchObject({ leafIndex: i, treeSize: size });
        expect(verifyInclusion(i, size, leafOf(entry(i)), unhex(r.proof), c.checkpoint.rootHash)).toEqual({
          ok: true,
        });
        // The proof is for this leaf only.
        expect(verifyInclusion(i, size, leafOf(entry(i + 1)), unhex(r.proof), c.checkpoint.rootHash).ok).toBe(
          false,
        );
      }
      for (let from = 0; from <= size; from++) {
        const { proof } = await log.consistency(from, size);
        const older = verifyCheckpoint(notes[from]!, verifier(), ORIGIN);
        if (!older.ok) throw new Error(older.message);
        expect(
          verifyConsistency(from, size, unhex(proof), older.checkpoint.rootHash, c.checkpoint.rootHash),
        ).toEqual({ ok: true });
      }
    }
    const latest = await log.inclusionFor(entry(7).apkSha256);
    expect(latest).toMatchObject({ leafIndex: 7, treeSize: 13, checkpoint: notes[13] });
  });

  it('refuses sizes beyond the latest checkpoint and APKs it never logged, with typed errors', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof AppError ? e.code : String(e)),
      );
    expect(await code(log.inclusion(entry(99).apkSha256))).toBe('log_entry_not_found');
    expect(await code(log.inclusion(entry(12).apkSha256, 12))).toBe('log_entry_not_found');
    expect(await code(log.inclusion(entry(1).apkSha256, 14))).toBe('log_size_invalid');
    expect(await code(log.consistency(5, 4))).toBe('log_size_invalid');
    expect(await code(log.consistency(1, 14))).toBe('log_size_invalid');
  });

  it('serialises concurrent appends: distinct indexes, and the root of the leaves in index order', async () => {
    const batch = Array.from({ length: 8 }, (_, k) => entry(100 + k));
    const indexes = await Promise.all(batch.map((e) => log.append(e)));
    expect([...indexes].sort((a, b) => a - b)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    const byIndex = batch.map((e, k) => ({ e, i: indexes[k]! })).sort((a, b) => a.i - b.i);
    for (const { e } of byIndex) memory.appendLeafHash(leafOf(e));
    const c = verifyCheckpoint(await log.latestCheckpoint(), verifier(), ORIGIN);
    if (!c.ok) throw new Error(c.message);
    expect(c.checkpoint.size).toBe(21);
    expect(c.checkpoint.rootHash.equals(memory.root())).toBe(true);
    // Every intermediate size was signed, once.
    const rows = rowsOf<{ tree_size: string }>(
      await db.handle.db.execute(sql`select tree_size from app_store.log_checkpoints order by 1`),
    );
    expect(rows.map((r) => Number(r.tree_size))).toEqual(Array.from({ length: 22 }, (_, k) => k));
  });

  it('catches a stored leaf rewritten after the fact: proofs from the tampered store no longer verify', async () => {
    const old = notes[6]!;
    const latest = await log.latestCheckpoint();
    const { proof: honest } = await log.consistency(6, 21);
    expect(verifyCheckpointConsistency(old, latest, unhex(honest), verifier(), ORIGIN).ok).toBe(true);
    // Swap leaf 4 for another APK (what a log hiding a malicious build would do) and rebuild every stored
    // node from the rewritten leaves, so the store is self-consistent: only the signed history disagrees.
    const forged = leafOf({ ...entry(4), apkSha256: sha('evil apk') }).toString('hex');
    await db.handle.db.execute(
      sql`update app_store.log_leaves set leaf_hash = ${forged}, apk_sha256 = ${sha('evil apk')} where index = 4`,
    );
    const leaves = rowsOf<{ leaf_hash: string }>(
      await db.handle.db.execute(sql`select leaf_hash from app_store.log_leaves order by index`),
    );
    const nodes = new Map<string, Buffer>();
    leaves.forEach((row, i) => {
      const siblings = appendSiblings(i).map((id) => nodes.get(`${id.level}/${id.index}`)!);
      for (const { id, hash } of appendNodes(i, Buffer.from(row.leaf_hash, 'hex'), siblings))
        nodes.set(`${id.level}/${id.index}`, hash);
    });
    for (const [key, hash] of nodes) {
      const [level, index] = key.split('/').map(Number);
      await db.handle.db.execute(
        sql`update app_store.log_nodes set hash = ${hash.toString('hex')} where level = ${level} and index = ${index}`,
      );
    }
    const { proof } = await log.consistency(6, 21);
    const r = verifyCheckpointConsistency(old, latest, unhex(proof), verifier(), ORIGIN);
    expect(r.ok ? 'consistent' : r.code).toBe('tlog_root_mismatch');
    // The forged APK's inclusion proof does not lead to the signed root either.
    const inc = await log.inclusion(sha('evil apk'), 21);
    const c = verifyCheckpoint(latest, verifier(), ORIGIN);
    if (!c.ok) throw new Error(c.message);
    expect(
      verifyInclusion(4, 21, Buffer.from(forged, 'hex'), unhex(inc.proof), c.checkpoint.rootHash).ok,
    ).toBe(false);
  });
});
