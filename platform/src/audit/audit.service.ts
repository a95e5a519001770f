import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Actor } from '../auth/principal.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import { DATABASE } from '../db/database.tokens.js';
import {
  GENESIS_HASH,
  canonicalJson,
  entryHash,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
  type ChainVerification,
} from './audit-chain.js';
import { auditLog } from './audit.schema.js';

/** Dotted lower-case words, domain first: `identity.operator.created`. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
/** Bytes of canonical JSON; audit details describe an action, they are not a place for payloads. */
export const MAX_AUDIT_DETAILS_BYTES = 16 * 1024;
export const MAX_AUDIT_LIST_LIMIT = 200;

const DEFAULT_LIST_LIMIT = 50;
const VERIFY_PAGE_SIZE = 1_000;
/** Advisory lock key serialising appends cluster-wide ("pkza" folded to 32 bits; migrations use "pkzm"). */
const AUDIT_LOCK_KEY = 0x706b7a61;
/**
 * Key names that carry credentials or subscriber keys (K, Ki, OP, OPc) anywhere in details. Compared
 * lower-cased without `_`/`-`, so `private_key` is caught too; `tokenId` and the like stay allowed.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'secret',
  'token',
  'k',
  'ki',
  'opc',
  'op',
  'privatekey',
  'seed',
]);

export type AuditInput = {
  actor: Actor;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
  requestId?: string | null;
};

export type AuditListQuery = { limit?: number; beforeSeq?: number; action?: string };

/** An entry as the API shows it: hashes left out, time as an ISO string. */
export type AuditEntryView = {
  seq: number;
  id: string;
  at: string;
  actorType: string;
  actorId: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
};

/** `nextBeforeSeq` is the cursor for the following (older) page, null on the last one. */
export type AuditPageView = { entries: AuditEntryView[]; nextBeforeSeq: number | null };

/** ChainVerification flattened for a JSON schema (both branches carry every field). */
export type AuditVerificationView = {
  ok: boolean;
  entries: number;
  head: string | null;
  brokenAt: Extract<ChainVerification, { ok: false }>['brokenAt'] | null;
};

type AuditContent = Omit<AuditEntry, 'seq' | 'id' | 'at'>;

@Injectable()
export class AuditService {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Appends one entry. Pass the caller's transaction as `tx` so the entry commits or rolls back with the
   * change it describes; on PostgreSQL that transaction then holds the audit lock until it ends.
   */
  async record(input: AuditInput, tx?: Db): Promise<AuditRecord> {
    const content = auditContent(input);
    if (tx) return this.append(tx, content);
    return this.handle.db.transaction((t) => this.append(t, content));
  }

  /** Re-computes the whole chain, streaming it in pages so a large log never sits in memory. */
  async verify(): Promise<ChainVerification> {
    return verifyChain(this.allEntries());
  }

  async verification(): Promise<AuditVerificationView> {
    const result = await this.verify();
    if (result.ok) return { ok: true, entries: result.entries, head: result.head, brokenAt: null };
    return { ok: false, entries: result.entries, head: null, brokenAt: result.brokenAt };
  }

  /** Newest first, for the NOC and the API. */
  async list(query: AuditListQuery = {}): Promise<AuditRecord[]> {
    return this.newest(query, checkedLimit(query.limit));
  }

  /** One page of `list` for the API, with the cursor of the next page. */
  async page(query: AuditListQuery = {}): Promise<AuditPageView> {
    const limit = checkedLimit(query.limit);
    // One row more than asked tells whether an older page exists without a second query.
    const rows = await this.newest(query, limit + 1);
    const entries = rows.slice(0, limit).map(toView);
    return { entries, nextBeforeSeq: rows.length > limit ? (entries.at(-1)?.seq ?? null) : null };
  }

  private newest(query: AuditListQuery, limit: number): Promise<AuditRecord[]> {
    const where = and(
      query.beforeSeq === undefined ? undefined : lt(auditLog.seq, query.beforeSeq),
      query.action === undefined ? undefined : eq(auditLog.action, query.action),
    );
    return this.handle.db.select().from(auditLog).where(where).orderBy(desc(auditLog.seq)).limit(limit);
  }

  private async append(db: Db, content: AuditContent): Promise<AuditRecord> {
    // Without the lock two writers could read the same head and fork the chain (or collide on seq). The
    // xact lock lasts until the transaction ends, so the next writer reads this entry as its predecessor.
    // PGlite has one connection and serialises transactions already.
    if (this.handle.mode === 'postgresql')
      await db.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const [last] = await db
      .select({ seq: auditLog.seq, hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    // Taken under the lock, so `at` never goes backwards along the chain (clock permitting).
    const entry: AuditEntry = { ...content, seq: (last?.seq ?? 0) + 1, id: randomUUID(), at: new Date() };
    const prevHash = last?.hash ?? GENESIS_HASH;
    const record: AuditRecord = { ...entry, prevHash, hash: entryHash(prevHash, entry) };
    await db.insert(auditLog).values(record);
    return record;
  }

  private async *allEntries(): AsyncGenerator<AuditRecord> {
    // The first page has no lower bound: a forged row with seq ≤ 0 must be seen, not skipped.
    let after: number | null = null;
    for (;;) {
      const page = await this.handle.db
        .select()
        .from(auditLog)
        .where(after === null ? undefined : gt(auditLog.seq, after))
        .orderBy(asc(auditLog.seq))
        .limit(VERIFY_PAGE_SIZE);
      yield* page;
      const last = page.at(-1);
      if (!last || page.length < VERIFY_PAGE_SIZE) return;
      after = last.seq;
    }
  }
}

function checkedLimit(limit: number = DEFAULT_LIST_LIMIT): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIST_LIMIT) {
    throw new RangeError(`audit list limit must be an integer in 1..${MAX_AUDIT_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

function toView({ prevHash: _prev, hash: _hash, ...entry }: AuditRecord): AuditEntryView {
  // record() only ever stores objects as details (see auditContent).
  return { ...entry, at: entry.at.toISOString(), details: entry.details as Record<string, unknown> };
}

/** Validates an entry; mistakes here are programming errors, so they throw plain Errors. */
function auditContent(input: AuditInput): AuditContent {
  if (!AUDIT_ACTION_PATTERN.test(input.action)) {
    throw new Error(
      `invalid audit action "${input.action}": expected dotted lower-case words (domain.object.verb)`,
    );
  }
  if (!input.actor.id) throw new Error('audit actor id must not be empty');
  const canonical = canonicalJson(input.details ?? {});
  const size = Buffer.byteLength(canonical, 'utf8');
  if (size > MAX_AUDIT_DETAILS_BYTES)
    throw new Error(`audit details are ${size} bytes; the limit is ${MAX_AUDIT_DETAILS_BYTES}`);
  // Store exactly what is hashed (Dates as strings, undefined dropped), so verification re-computes the same bytes.
  const details = JSON.parse(canonical) as unknown;
  if (typeof details !== 'object' || details === null || Array.isArray(details))
    throw new Error('audit details must be an object');
  const secret = findSecretKey(details, '');
  if (secret !== null)
    throw new Error(`audit details must not contain secrets: key "${secret}" is not allowed`);
  return {
    actorType: input.actor.type,
    actorId: input.actor.id,
    action: input.action,
    target: input.target ?? null,
    details,
    requestId: input.requestId ?? null,
  };
}

/** Path of the first key (any depth, arrays included) named like a secret; the value is never reported. */
function findSecretKey(value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''))) return here;
    const nested = findSecretKey(child, here);
    if (nested !== null) return nested;
  }
  return null;
}
