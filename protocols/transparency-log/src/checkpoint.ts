import { HASH_SIZE, MAX_TREE_SIZE, verifyConsistency, type TlogErrorCode } from './merkle.js';
import { openNote, signNote, type NoteErrorCode, type NoteSigner, type NoteVerifier } from './note.js';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the signed tree head, a signed note whose text is
 *
 *     <origin>\n<tree size, decimal>\n<root hash, base64>\n[extension lines]
 *
 * The origin names the log (a schema-less URL); clients MUST check it is the log they expect, since the same
 * key could sign for several logs. Extension lines are opaque and kept.
 */
export type Checkpoint = {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
  readonly extensions: readonly string[];
};

export type CheckpointErrorCode =
  NoteErrorCode | TlogErrorCode | 'checkpoint_malformed' | 'checkpoint_origin_mismatch';

export type CheckpointResult =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly note: string }
  | { readonly ok: false; readonly code: CheckpointErrorCode; readonly message: string };

/** Bounded like the tree: origin and extension lines are short by design (a URL, a few annotations). */
const MAX_LINE = 1024;
const MAX_EXTENSIONS = 16;

/** The note text of a checkpoint. */
export function checkpointText(c: Checkpoint): string {
  const lines = [c.origin, String(c.size), Buffer.from(c.rootHash).toString('base64'), ...c.extensions];
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint's note text (tlog-checkpoint "Note text"); undefined for anything malformed. */
export function parseCheckpointText(text: string): Checkpoint | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === undefined || sizeText === undefined || rootText === undefined) return undefined;
  if (origin === '' || origin.length > MAX_LINE) return undefined;
  // Decimal without leading zeroes: one spelling per size, so a size cannot be disguised.
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return undefined;
  const size = Number(sizeText);
  if (size > MAX_TREE_SIZE) return undefined;
  const rootHash = Buffer.from(rootText, 'base64');
  if (rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== rootText) return undefined;
  if (extensions.length > MAX_EXTENSIONS || extensions.some((e) => e === '' || e.length > MAX_LINE))
    return undefined;
  return { origin, size, rootHash, extensions };
}

/**
 * Signs a checkpoint with the log key (and any further signers, e.g. witnesses). The log's key name should
 * be its origin (tlog-checkpoint: "the key name SHOULD be the origin").
 */
export async function signCheckpoint(c: Checkpoint, signers: readonly NoteSigner[]): Promise<string> {
  if (!parseCheckpointText(checkpointText(c))) throw new TypeError('not a well-formed checkpoint');
  return signNote(checkpointText(c), signers);
}

/**
 * Verifies a checkpoint note against the log's verifier (parseVerifierKey) and its expected origin, never
 * throwing. Other signatures (cosigners) may be present; the log's own must be.
 */
export function verifyCheckpoint(
  note: string | Uint8Array,
  log: NoteVerifier,
  expectedOrigin: string,
): CheckpointResult {
  const opened = openNote(note, [log]);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpointText(opened.text);
  if (!checkpoint) return { ok: false, code: 'checkpoint_malformed', message: 'malformed checkpoint text' };
  if (checkpoint.origin !== expectedOrigin)
    return {
      ok: false,
      code: 'checkpoint_origin_mismatch',
      message: `checkpoint of ${JSON.stringify(checkpoint.origin)}, expected ${JSON.stringify(expectedOrigin)}`,
    };
  return { ok: true, checkpoint, note: typeof note === 'string' ? note : Buffer.from(note).toString('utf8') };
}

export type ConsistencyResult =
  | { readonly ok: true; readonly older: Checkpoint; readonly newer: Checkpoint }
  | { readonly ok: false; readonly code: CheckpointErrorCode; readonly message: string };

/**
 * Whether a newer checkpoint extends an older one (what `pakawaaz store log verify` and a handset that keeps
 * its last checkpoint check): both signed by the log for its origin, and the RFC 9162 §2.1.4 consistency proof
 * from the older size to the newer. A log that rewrote history to swap an APK fails here. Never throws.
 */
export function verifyCheckpointConsistency(
  older: string | Uint8Array,
  newer: string | Uint8Array,
  proof: readonly Uint8Array[],
  log: NoteVerifier,
  expectedOrigin: string,
): ConsistencyResult {
  const a = verifyCheckpoint(older, log, expectedOrigin);
  if (!a.ok) return { ok: false, code: a.code, message: `older checkpoint: ${a.message}` };
  const b = verifyCheckpoint(newer, log, expectedOrigin);
  if (!b.ok) return { ok: false, code: b.code, message: `newer checkpoint: ${b.message}` };
  const r = verifyConsistency(
    a.checkpoint.size,
    b.checkpoint.size,
    proof,
    a.checkpoint.rootHash,
    b.checkpoint.rootHash,
  );
  if (!r.ok)
    return {
      ok: false,
      code: r.code,
      message: `the tree of ${b.checkpoint.size} does not extend the tree of ${a.checkpoint.size} (${r.code})`,
    };
  return { ok: true, older: a.checkpoint, newer: b.checkpoint };
}
