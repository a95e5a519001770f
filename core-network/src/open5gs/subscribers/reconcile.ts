import {
  OPEN5GS_RUNTIME_FIELDS,
  OPEN5GS_RUNTIME_SECURITY_FIELDS,
  type Open5gsSubscriberDocument,
} from './subscriber-document.js';

/**
 * A document as read back from MongoDB: any shape, since people and tools other than Pakawaaz write there.
 * The store hands over int32 as number, int64 as bigint and double as `{ $numberDouble }` so that a value
 * Open5GS would ignore (a double where it reads int32) is visible as a difference.
 */
export type StoredSubscriberDocument = { readonly imsi: string; readonly [field: string]: unknown };

export type SubscriberDrift =
  /** Fields (top-level paths) whose stored value is not what Pakawaaz last pushed. */
  | { readonly imsi: string; readonly kind: 'modified'; readonly fields: readonly string[] }
  /** The document was pushed once and is gone from MongoDB. */
  | { readonly imsi: string; readonly kind: 'deleted'; readonly fields: readonly string[] };

export type ReconciliationPlan = {
  /** Documents to write: new, changed by Pakawaaz, or drifted in a field Pakawaaz manages. */
  readonly upserts: readonly Open5gsSubscriberDocument[];
  /** IMSIs to delete: requested deletions still present in MongoDB. */
  readonly deletes: readonly string[];
  /** Requested deletions already absent from MongoDB (nothing to do but clear the request). */
  readonly alreadyDeleted: readonly string[];
  readonly unchanged: readonly string[];
  readonly drift: readonly SubscriberDrift[];
  /** Documents in MongoDB that Pakawaaz does not know; reported, never deleted. */
  readonly unmanaged: readonly string[];
};

export type ReconciliationOptions = {
  /**
   * IMSIs whose subscriber changed in Pakawaaz since the last successful push (version > synced_version).
   * A difference on those is Pakawaaz's own pending change; on any other IMSI it is drift. Default: none.
   */
  readonly pending?: ReadonlySet<string>;
};

/** Top-level fields never compared: MongoDB/mongoose bookkeeping and what Open5GS writes at run time. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['_id', '__v', ...OPEN5GS_RUNTIME_FIELDS]);
const IGNORED_SECURITY_FIELDS: ReadonlySet<string> = new Set(OPEN5GS_RUNTIME_SECURITY_FIELDS);

/**
 * Plans one reconciliation pass. Pure. Pakawaaz is the source of truth for the fields it writes, so a drifted
 * managed field is both reported and overwritten; fields only present in MongoDB are reported (an upsert
 * cannot remove them). A deletion request loses against a desired document: deleting an active subscriber
 * is the worse mistake.
 */
export function planReconciliation(
  desired: ReadonlyMap<string, Open5gsSubscriberDocument>,
  actual: ReadonlyMap<string, StoredSubscriberDocument>,
  deletions: readonly string[],
  options: ReconciliationOptions = {},
): ReconciliationPlan {
  const pending = options.pending ?? new Set<string>();
  const upserts: Open5gsSubscriberDocument[] = [];
  const unchanged: string[] = [];
  const drift: SubscriberDrift[] = [];
  for (const [imsi, doc] of desired) {
    const stored = actual.get(imsi);
    if (stored === undefined) {
      upserts.push(doc);
      if (!pending.has(imsi)) drift.push({ imsi, kind: 'deleted', fields: [] });
      continue;
    }
    const { managed, extra } = diffSubscriberDocuments(doc, stored);
    if (managed.length > 0) upserts.push(doc);
    else unchanged.push(imsi);
    const changed = pending.has(imsi) ? extra : [...managed, ...extra].sort();
    if (changed.length > 0) drift.push({ imsi, kind: 'modified', fields: changed });
  }
  return { upserts, unchanged, drift, ...planDeletions(desired, actual, deletions) };
}

function planDeletions(
  desired: ReadonlyMap<string, unknown>,
  actual: ReadonlyMap<string, unknown>,
  deletions: readonly string[],
): Pick<ReconciliationPlan, 'deletes' | 'alreadyDeleted' | 'unmanaged'> {
  const requested = new Set(deletions.filter((imsi) => !desired.has(imsi)));
  const deletes = [...requested].filter((imsi) => actual.has(imsi));
  const alreadyDeleted = [...requested].filter((imsi) => !actual.has(imsi));
  const unmanaged = [...actual.keys()].filter((imsi) => !desired.has(imsi) && !requested.has(imsi));
  return { deletes, alreadyDeleted, unmanaged };
}

/**
 * Compares what Pakawaaz would write with what is stored, ignoring `_id` at every depth (mongoose gives slices
 * and sessions one), `__v` and the Open5GS run-time fields. `managed`: fields Pakawaaz writes that differ or
 * are missing; `extra`: fields only present in MongoDB.
 */
export function diffSubscriberDocuments(
  desired: Open5gsSubscriberDocument,
  stored: StoredSubscriberDocument,
): { managed: string[]; extra: string[] } {
  const want = comparable(desired);
  const have = comparable(stored);
  const managed = [...want.keys()].filter((f) => !have.has(f) || !sameValue(want.get(f), have.get(f)));
  const extra = [...have.keys()].filter((f) => !want.has(f));
  return { managed, extra };
}

/** Top-level fields that take part in comparisons, with the run-time security fields taken out. */
function comparable(doc: { readonly [field: string]: unknown }): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const field of Object.keys(doc)) {
    const value = doc[field];
    if (IGNORED_FIELDS.has(field) || value === undefined) continue;
    out.set(field, field === 'security' ? withoutRuntimeSecurity(value) : value);
  }
  return out;
}

function withoutRuntimeSecurity(security: unknown): unknown {
  if (typeof security !== 'object' || security === null || Array.isArray(security)) return security;
  return Object.fromEntries(Object.entries(security).filter(([k]) => !IGNORED_SECURITY_FIELDS.has(k)));
}

/**
 * Deep equality as Open5GS sees it: object key order does not matter (MongoDB may reorder keys on update),
 * array order does (slice and session order), `_id` is ignored at every depth, and a bigint never equals a
 * number, so an int64 where Open5GS reads int32 shows up as a difference.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = comparedKeys(x);
  if (keys.length !== comparedKeys(y).length) return false;
  for (const k of keys) if (!(k in y) || !sameValue(x[k], y[k])) return false;
  return true;
}

function comparedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => k !== '_id' && o[k] !== undefined);
}
