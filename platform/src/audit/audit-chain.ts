import { createHash } from 'node:crypto';

/** The `prev_hash` of the first entry: there is nothing before it to chain to. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields an entry's hash covers (everything but the two hashes themselves). */
export type AuditEntry = {
  readonly seq: number;
  readonly id: string;
  readonly at: Date;
  readonly actorType: string;
  readonly actorId: string;
  readonly action: string;
  readonly target: string | null;
  readonly details: unknown;
  readonly requestId: string | null;
};

/** One row of the audit log as stored. */
export type AuditRecord = AuditEntry & { readonly prevHash: string; readonly hash: string };

export type ChainBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap';

/**
 * `entries` counts the entries that verified; on a break it is the number of intact entries before it, so
 * for a `sequence_gap` the missing seqs are `entries + 1 … brokenAt.seq - 1`.
 */
export type ChainVerification =
  | { readonly ok: true; readonly entries: number; readonly head: string }
  | {
      readonly ok: false;
      readonly entries: number;
      readonly brokenAt: { readonly seq: number; readonly id: string; readonly reason: ChainBreak };
    };

/**
 * Deterministic JSON: object keys sorted recursively, no whitespace. jsonb stores keys in its own order, so
 * the hash must not depend on the order the writer or the database happens to use. Values that JSON or
 * jsonb would silently change (NaN, Infinity, undefined in arrays, class instances) are rejected rather
 * than hashed one way and stored another; undefined object properties are dropped, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('canonicalJson: invalid Date');
    return JSON.stringify(value.toISOString());
  }
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => (v === undefined ? fail('undefined array element') : canonicalJson(v))).join(',')}]`;
  }
  if (isPlainObject(value)) {
    const members = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`);
    return `{${members.join(',')}}`;
  }
  return fail(`unsupported value of type ${typeof value}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fail(reason: string): never {
  throw new TypeError(`canonicalJson: ${reason}`);
}

/** Hex SHA-256 of the previous hash and the canonical entry; the newline keeps the two parts unambiguous. */
export function entryHash(prevHash: string, entry: AuditEntry): string {
  const body = canonicalJson({
    seq: entry.seq,
    id: entry.id,
    at: entry.at.toISOString(),
    actorType: entry.actorType,
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    details: entry.details,
    requestId: entry.requestId,
  });
  return createHash('sha256').update(`${prevHash}\n${body}`, 'utf8').digest('hex');
}

/**
 * Walks the log in seq order and reports the first entry that breaks the chain: a deleted row leaves a
 * gap in seq, an edited row no longer matches its hash, and a row edited *and* re-hashed no longer matches
 * the prev_hash of its successor. Removing the newest entries is invisible here — compare `head` with a
 * previously recorded value for that.
 */
export async function verifyChain(
  entries: Iterable<AuditRecord> | AsyncIterable<AuditRecord>,
): Promise<ChainVerification> {
  let count = 0;
  let prev = GENESIS_HASH;
  for await (const entry of entries) {
    const reason = checkEntry(entry, count + 1, prev);
    if (reason) return { ok: false, entries: count, brokenAt: { seq: entry.seq, id: entry.id, reason } };
    prev = entry.hash;
    count += 1;
  }
  return { ok: true, entries: count, head: prev };
}

function checkEntry(entry: AuditRecord, expectedSeq: number, expectedPrev: string): ChainBreak | null {
  if (entry.seq !== expectedSeq) return 'sequence_gap';
  if (entry.prevHash !== expectedPrev) return 'prev_hash_mismatch';
  if (entryHash(entry.prevHash, entry) !== entry.hash) return 'hash_mismatch';
  return null;
}
