/**
 * The port to the APK transparency log (its service lands on its own; the composition root binds it). The
 * log holds one leaf per approved APK — `apkLogLeaf(package, version)` of the catalogue format — and proves
 * inclusion under its signed checkpoints (C2SP tlog-checkpoint; RFC 9162 §2.1.3 audit paths).
 */
export type ApkLogInclusion = {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** The audit path, hex SHA-256 hashes, leaf to root. */
  readonly proof: readonly string[];
  /** The signed checkpoint note of size treeSize the proof is against. */
  readonly checkpoint: string;
};

export type ApkLog = {
  /** The inclusion of an APK by its SHA-256 (hex); undefined while the log does not hold it yet. */
  inclusionFor(apkSha256: string): Promise<ApkLogInclusion | undefined>;
  /** The newest signed checkpoint note (its first line is the log's origin). */
  latestCheckpoint(): Promise<string>;
};

export const APK_LOG = Symbol.for('pakawaaz.app-store.ApkLog');

/** A checkpoint note's origin: its first line (C2SP tlog-checkpoint). */
export const checkpointOrigin = (note: string): string => note.slice(0, Math.max(0, note.indexOf('\n')));
