import { MemoryLog, inclusionProof, signCheckpoint, type NoteSigner } from '@pakawaaz/transparency-log';
import { apkLogLeaf, type CatalogueVersion } from '../catalogue/index.js';
import type { ApkLog, ApkLogInclusion } from './apk-log.js';

/**
 * An APK log in memory, signing its checkpoints with a note key: the stand-in for the log service in tests,
 * the lab and a node without one. It holds the same leaves (`apkLogLeaf`) and proves inclusion the same way
 * (RFC 9162 §2.1.3), against a checkpoint of its current size.
 */
export class MemoryApkLog implements ApkLog {
  private readonly log = new MemoryLog();
  private readonly leaves = new Map<string, number>();
  private readonly notes = new Map<number, string>();

  constructor(
    private readonly signer: NoteSigner,
    readonly origin: string,
  ) {}

  /** Logs an APK (idempotent per APK hash); returns its leaf index. */
  add(packageName: string, v: Pick<CatalogueVersion, 'versionCode' | 'apkSha256' | 'signers'>): number {
    const found = this.leaves.get(v.apkSha256);
    if (found !== undefined) return found;
    const i = this.log.append(apkLogLeaf(packageName, v));
    this.leaves.set(v.apkSha256, i);
    return i;
  }

  get size(): number {
    return this.log.size;
  }

  async latestCheckpoint(): Promise<string> {
    const size = this.log.size;
    let note = this.notes.get(size);
    if (!note) {
      note = await signCheckpoint({ origin: this.origin, size, rootHash: this.log.root(), extensions: [] }, [
        this.signer,
      ]);
      this.notes.set(size, note);
    }
    return note;
  }

  async inclusionFor(apkSha256: string): Promise<ApkLogInclusion | undefined> {
    const leafIndex = this.leaves.get(apkSha256);
    if (leafIndex === undefined) return undefined;
    const treeSize = this.log.size;
    const checkpoint = await this.latestCheckpoint();
    const proof = await inclusionProof(this.log, leafIndex, treeSize);
    return { leafIndex, treeSize, proof: proof.map((h) => h.toString('hex')), checkpoint };
  }
}
