import {
  leafHash,
  parseVerifierKey,
  verifyCheckpoint,
  verifyInclusion,
  type Checkpoint,
  type NoteVerifier,
} from '@pakawaaz/transparency-log';
import {
  verifyEntry,
  type CatalogueEntry,
  type EntryCheck,
  type EntryPins,
  type EntryState,
} from './catalogue-entry.js';
import {
  CatalogueError,
  apkLogLeaf,
  applyIndexDiff,
  parseIndex,
  sha256Hex,
  type CatalogueErrorCode,
  type CatalogueIndex,
} from './catalogue-index.js';

/** What a handset pins: the catalogue key and institution, and the APK log's verifier key and origin. */
export type CataloguePins = EntryPins & {
  /** The log key as a C2SP verifier key string (`name+keyid+base64(0x01 ‖ pubkey)`). */
  readonly logKey: string;
  readonly logOrigin: string;
};

export type CatalogueVerdict =
  | { readonly ok: true; readonly entry: CatalogueEntry; readonly index: CatalogueIndex }
  | {
      readonly ok: false;
      readonly code: CatalogueErrorCode;
      readonly message: string;
    };

const refuse = (code: CatalogueErrorCode, message: string): CatalogueVerdict => ({
  ok: false,
  code,
  message,
});

/**
 * What a handset runs before it installs anything from a catalogue (pure, never throws):
 * 1. the entry's signature with the pinned catalogue key, its institution and timestamp (no rollback);
 * 2. the index bytes against the entry's SHA-256 and size, then the index itself (canonical, well-formed,
 *    the same institution and timestamp, the pinned log origin);
 * 3. every checkpoint's signature with the pinned log key, and its size against its key in the index;
 * 4. every version's inclusion proof: the leaf rebuilt from the version (package, version code, APK hash,
 *    signers) sits in the log under its checkpoint.
 */
export async function verifyCatalogue(
  entryJws: string,
  indexBytes: Uint8Array,
  pins: CataloguePins,
  state: EntryState,
): Promise<CatalogueVerdict> {
  const checked: EntryCheck = await verifyEntry(entryJws, pins, state);
  if (!checked.ok) return checked;
  const { entry } = checked;
  if (indexBytes.length !== entry.index.size || sha256Hex(indexBytes) !== entry.index.sha256)
    return refuse('catalogue_index_mismatch', 'the index is not the one the entry signs');
  let index: CatalogueIndex;
  try {
    index = parseIndex(indexBytes);
  } catch (e) {
    return e instanceof CatalogueError
      ? refuse(e.code, e.message)
      : refuse('catalogue_index_invalid', String(e));
  }
  if (index.institution !== entry.institution || index.timestamp !== entry.timestamp)
    return refuse('catalogue_index_invalid', 'the index names another institution or time than its entry');
  if (Object.keys(index.apps).length !== entry.index.numPackages)
    return refuse('catalogue_index_invalid', 'the index holds another number of apps than its entry says');
  if (index.logOrigin !== pins.logOrigin) return refuse('catalogue_checkpoint_invalid', 'another log');
  let log: NoteVerifier;
  try {
    log = parseVerifierKey(pins.logKey);
  } catch {
    return refuse('catalogue_checkpoint_invalid', 'the pinned log key is malformed');
  }
  const checkpoints = new Map<number, Checkpoint>();
  for (const [size, note] of Object.entries(index.checkpoints)) {
    const c = verifyCheckpoint(note, log, pins.logOrigin);
    if (!c.ok) return refuse('catalogue_checkpoint_invalid', `checkpoint ${size}: ${c.message}`);
    if (String(c.checkpoint.size) !== size)
      return refuse('catalogue_checkpoint_invalid', `checkpoint ${size} is of size ${c.checkpoint.size}`);
    checkpoints.set(c.checkpoint.size, c.checkpoint);
  }
  for (const [pkg, app] of Object.entries(index.apps)) {
    for (const v of Object.values(app.versions)) {
      const where = `${pkg} ${v.versionCode} (${v.apkSha256})`;
      const checkpoint = checkpoints.get(v.log.treeSize);
      if (!checkpoint)
        return refuse('catalogue_inclusion_invalid', `${where}: no checkpoint ${v.log.treeSize}`);
      const proof = v.log.proof.map((p) => Buffer.from(p, 'base64'));
      const leaf = leafHash(apkLogLeaf(pkg, v));
      const r = verifyInclusion(v.log.leafIndex, v.log.treeSize, leaf, proof, checkpoint.rootHash);
      if (!r.ok) return refuse('catalogue_inclusion_invalid', `${where}: ${r.code}`);
    }
  }
  return { ok: true, entry, index };
}

/**
 * The new index's bytes from the previous index and the diff the (verified) entry lists for it: the diff's
 * hash must match the entry before it is read. The result still goes through verifyCatalogue.
 */
export function indexFromDiff(
  entry: CatalogueEntry,
  previousIndex: Uint8Array,
  diff: Uint8Array,
): { ok: true; index: Buffer } | { ok: false; code: CatalogueErrorCode; message: string } {
  try {
    const previous = parseIndex(previousIndex);
    const listed = entry.diffs[String(previous.timestamp)];
    if (!listed) return { ok: false, code: 'catalogue_diff_invalid', message: 'no diff from this index' };
    if (diff.length !== listed.size || sha256Hex(diff) !== listed.sha256)
      return {
        ok: false,
        code: 'catalogue_diff_invalid',
        message: 'the diff is not the one the entry signs',
      };
    return { ok: true, index: applyIndexDiff(previousIndex, diff) };
  } catch (e) {
    return e instanceof CatalogueError
      ? { ok: false, code: e.code, message: e.message }
      : { ok: false, code: 'catalogue_diff_invalid', message: String(e) };
  }
}
