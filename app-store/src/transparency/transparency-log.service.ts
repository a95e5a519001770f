import { Inject, Injectable } from '@nestjs/common';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import { DATABASE, type DatabaseHandle, type Db } from '@pakawaaz/platform';
import {
  appendNodes,
  appendSiblings,
  consistencyProof,
  ed25519VerifierKey,
  inclusionProof,
  leafHash,
  signCheckpoint,
  treeRoot,
  TlogError,
  type NodeId,
  type NoteSigner,
  type NodeStore,
} from '@pakawaaz/transparency-log';
import { apkLogLeaf } from '../catalogue/catalogue-index.js';
import { appStoreError } from '../app-store.errors.js';
import { logCheckpoints, logLeaves, logNodes } from './transparency.schema.js';

/** Nest token of the log's signer (a C2SP note signer named after the origin, backed by the key service). */
export const STORE_LOG_SIGNER = Symbol.for('pakawaaz.StoreLogSigner');

/**
 * One appender at a time across the cluster: a transaction-scoped advisory lock (released at commit or
 * rollback), so the append joins the approval's transaction and a failed approval logs nothing.
 */
const LOG_LOCK_KEY = 0x706b7a6c;

/** What the log commits to for an APK version (the inputs of apkLogLeaf, plus the row it came from). */
export type LogEntryInput = {
  readonly versionId: string;
  readonly packageName: string;
  readonly versionCode: number;
  readonly apkSha256: string;
  readonly signers: readonly string[];
};

/** An APK's inclusion proof against the latest checkpoint, as the catalogue embeds it. */
export type StoreLogInclusion = {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 §2.1.3.1 PATH, leaf-first, each a SHA-256 hash as lowercase hex. */
  readonly proof: string[];
  /** The signed note (C2SP tlog-checkpoint) of treeSize. */
  readonly checkpoint: string;
};

/** What the catalogue needs from the log (the port it calls). */
export type StoreLog = {
  /** Throws AppError log_entry_not_found when the APK is not logged. */
  inclusionFor(apkSha256: string): Promise<StoreLogInclusion>;
  /** The latest signed checkpoint note (a size-0 checkpoint is signed for an empty log). */
  latestCheckpoint(): Promise<string>;
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * The node store of RFC 9162 proofs over the log's tables: every perfect subtree is memoised at append
 * (log_nodes), so a proof reads at most 2·log2(n) rows, in one query.
 */
export class DbNodeStore implements NodeStore {
  constructor(
    private readonly db: Db,
    readonly size: number,
  ) {}

  async nodeHashes(ids: readonly NodeId[]): Promise<Buffer[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select()
      .from(logNodes)
      .where(or(...ids.map((id) => and(eq(logNodes.level, id.level), eq(logNodes.index, id.index)))));
    const byId = new Map(rows.map((r) => [`${r.level}/${r.index}`, r.hash]));
    return ids.map(({ level, index }) => {
      const h = byId.get(`${level}/${index}`);
      if (h === undefined || !/^[0-9a-f]{64}$/.test(h))
        throw new TlogError('tlog_storage_invalid', `node (${level}, ${index}) is missing from the log`);
      return Buffer.from(h, 'hex');
    });
  }
}

/**
 * The app store's APK transparency log (RFC 9162 Merkle tree, C2SP tlog-checkpoint): every approved APK is
 * appended once, and every append signs a new checkpoint with the log's Ed25519 key. Handsets check that the
 * APK they install is in the log the whole country sees; `pakawaaz store log verify` checks that the log only
 * ever grew.
 */
@Injectable()
export class TransparencyLogService implements StoreLog {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(STORE_LOG_SIGNER) private readonly signer: NoteSigner,
  ) {}

  /** The log's origin: its key's name (C2SP tlog-checkpoint: "the key name SHOULD be the origin"). */
  get origin(): string {
    return this.signer.name;
  }

  /** The verifier key (`name+keyid+base64`) a verifier pins. */
  verifierKey(): string {
    return ed25519VerifierKey(this.signer.name, this.signer.publicKey);
  }

  /**
   * Appends an approved APK and signs the new checkpoint, in `tx` (the approval's transaction) or its own.
   * Idempotent by APK SHA-256: an APK already logged keeps its leaf. Returns the leaf index.
   */
  async append(entry: LogEntryInput, tx?: Db): Promise<number> {
    if (!tx) return this.database.db.transaction((t) => this.append(entry, t));
    await tx.execute(sql`select pg_advisory_xact_lock(${LOG_LOCK_KEY})`);
    const [logged] = await tx
      .select({ index: logLeaves.index })
      .from(logLeaves)
      .where(eq(logLeaves.apkSha256, entry.apkSha256));
    if (logged) return logged.index;
    const size = await this.sizeIn(tx);
    const leaf = leafHash(
      apkLogLeaf(entry.packageName, {
        versionCode: entry.versionCode,
        apkSha256: entry.apkSha256,
        signers: [...entry.signers],
      }),
    );
    const store = new DbNodeStore(tx, size);
    const siblings = await store.nodeHashes(appendSiblings(size));
    const nodes = appendNodes(size, leaf, siblings);
    await tx.insert(logLeaves).values({
      index: size,
      leafHash: hex(leaf),
      apkSha256: entry.apkSha256,
      packageName: entry.packageName,
      versionCode: entry.versionCode,
      signers: [...entry.signers].sort(),
      versionId: entry.versionId,
    });
    await tx
      .insert(logNodes)
      .values(nodes.map(({ id, hash }) => ({ level: id.level, index: id.index, hash: hex(hash) })));
    await this.sign(tx, size + 1);
    return size;
  }

  /** The latest signed checkpoint; signs the empty tree's on first use. */
  async latestCheckpoint(): Promise<string> {
    const found = await this.latest(this.database.db);
    if (found) return found.note;
    return this.database.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${LOG_LOCK_KEY})`);
      return (await this.latest(tx))?.note ?? (await this.sign(tx, 0));
    });
  }

  /**
   * The APK's proof against the latest checkpoint, with that checkpoint: what the catalogue embeds. The proof
   * stays valid for its checkpoint forever, so a catalogue need not refresh it when the log grows.
   */
  async inclusionFor(apkSha256: string): Promise<StoreLogInclusion> {
    const latest = await this.latest(this.database.db);
    if (!latest) throw appStoreError('log_entry_not_found', 'The log is empty.');
    const r = await this.inclusion(apkSha256, latest.treeSize);
    return { ...r, checkpoint: latest.note };
  }

  /** The inclusion proof of an APK in the tree of treeSize leaves (default: the latest checkpoint's). */
  async inclusion(apkSha256: string, treeSize?: number) {
    const size = await this.checkedSize(treeSize);
    const [leaf] = await this.database.db
      .select({ index: logLeaves.index })
      .from(logLeaves)
      .where(eq(logLeaves.apkSha256, apkSha256));
    if (!leaf || leaf.index >= size)
      throw appStoreError(
        'log_entry_not_found',
        leaf ? `This APK was logged after the tree of ${size}.` : 'No APK with this SHA-256 is in the log.',
      );
    const proof = await inclusionProof(new DbNodeStore(this.database.db, size), leaf.index, size);
    return { leafIndex: leaf.index, treeSize: size, proof: proof.map(hex) };
  }

  /** The consistency proof from the tree of `from` leaves to the tree of `to` (default: the latest). */
  async consistency(from: number, to?: number) {
    const size = await this.checkedSize(to);
    if (from > size) throw appStoreError('log_size_invalid', `from (${from}) is past to (${size}).`);
    const proof = await consistencyProof(new DbNodeStore(this.database.db, size), from, size);
    return { proof: proof.map(hex) };
  }

  /** A tree size the log has signed (sizes between checkpoints are trees too, but nobody can check them). */
  private async checkedSize(treeSize: number | undefined): Promise<number> {
    const latest = await this.latest(this.database.db);
    const have = latest?.treeSize ?? 0;
    if (treeSize === undefined) return have;
    if (treeSize > have)
      throw appStoreError('log_size_invalid', `The log's latest checkpoint has ${have} leaves.`);
    return treeSize;
  }

  private async latest(db: Db) {
    return (await db.select().from(logCheckpoints).orderBy(desc(logCheckpoints.treeSize)).limit(1))[0];
  }

  private async sizeIn(tx: Db): Promise<number> {
    const [row] = await tx
      .select({ index: logLeaves.index })
      .from(logLeaves)
      .orderBy(desc(logLeaves.index))
      .limit(1);
    return row ? row.index + 1 : 0;
  }

  private async sign(tx: Db, size: number): Promise<string> {
    const rootHash = await treeRoot(new DbNodeStore(tx, size), size);
    const note = await signCheckpoint({ origin: this.origin, size, rootHash, extensions: [] }, [this.signer]);
    await tx
      .insert(logCheckpoints)
      .values({ treeSize: size, rootHash: hex(rootHash), note })
      .onConflictDoNothing();
    return note;
  }
}
