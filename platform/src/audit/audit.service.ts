import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { and, asc, desc, eq, gt, gte, ilike, lt, or, sql } from 'drizzle-orm';
import type { JWK } from 'jose';
import type { DatabaseHandle, Db } from '../db/database.js';
import { DATABASE } from '../db/database.tokens.js';
import type { Signer } from '../keys/key.service.js';
import {
  checkChainAgainstCheckpoints,
  checkCheckpointCoverage,
  checkCheckpointChain,
  checkpointVerifier,
  signCheckpoint,
  type AuditCheckpoint,
  type CheckpointProblem,
} from './audit-checkpoint.js';
import {
  GENESIS_HASH,
  entryHash,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
  type ChainVerification,
} from './audit-chain.js';
import { auditContent, type AuditContent, type AuditInput } from './audit-input.js';
import { auditCheckpoints, auditLog } from './audit.schema.js';

/** Nest token of the audit checkpoint signer (the key service's `audit-checkpoint` key). */
export const AUDIT_CHECKPOINT_SIGNER = Symbol.for('pakawaaz.AuditCheckpointSigner');
export const AUDIT_CHECKPOINT_KEY = 'audit-checkpoint';

export const MAX_AUDIT_LIST_LIMIT = 200;

const DEFAULT_LIST_LIMIT = 50;
const VERIFY_PAGE_SIZE = 1_000;
/** Advisory lock key serialising appends cluster-wide ("pkza" folded to 32 bits; migrations use "pkzm"). */
const AUDIT_LOCK_KEY = 0x706b7a61;

export type AuditListQuery = {
  limit?: number;
  beforeSeq?: number;
  action?: string;
  /** Only entries by these actors (an empty list matches none). */
  actors?: readonly { type: string; id: string }[];
  /** From this time (inclusive) / before this time (exclusive). */
  from?: Date;
  to?: Date;
  /** Words anywhere in the action or the target, any case. */
  search?: string;
};

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

/** ChainVerification flattened for a JSON schema (both branches carry every field), with the checkpoints. */
export type AuditVerificationView = {
  ok: boolean;
  entries: number;
  head: string | null;
  brokenAt: Extract<ChainVerification, { ok: false }>['brokenAt'] | null;
  checkpoints: { count: number; latest: { n: number; seq: number; at: string } | null };
  /** The first problem with the signed checkpoints: truncation, a rewrite past one, a forged or deleted one. */
  checkpointProblem: CheckpointProblem | null;
};

export type AuditVerifyOptions = {
  /** The checkpoint key's public JWK (null: the key is missing); by default the server's signer. */
  checkpointKey?: JWK | null;
  /**
   * PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS of the server(s) that wrote the log: with it, entries left uncovered
   * for more than two intervals (checkpoints deleted) are reported (checkCheckpointCoverage).
   */
  checkpointIntervalSeconds?: number;
};

@Injectable()
export class AuditService {
  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Optional() @Inject(AUDIT_CHECKPOINT_SIGNER) private readonly signer?: Signer,
  ) {}

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

  /** The chain and its signed checkpoints (audit-checkpoint.ts): truncation and rewrites past one show. */
  async verification(options: AuditVerifyOptions = {}): Promise<AuditVerificationView> {
    const key = 'checkpointKey' in options ? options.checkpointKey : (this.signer?.publicJwk ?? null);
    const checkpoints = await this.checkpoints();
    const wanted = new Set(checkpoints.map((c) => c.seq));
    const hashAt = new Map<number, string>();
    const entries = this.allEntries();
    const coveredTo = checkpoints.at(-1)?.seq ?? 0;
    const seen: { firstUncovered: { seq: number; at: Date } | null; newestAt: Date | null } = {
      firstUncovered: null,
      newestAt: null,
    };
    async function* tapped(): AsyncGenerator<AuditRecord> {
      for await (const e of entries) {
        if (wanted.has(e.seq)) hashAt.set(e.seq, e.hash);
        if (e.seq > coveredTo && !seen.firstUncovered) seen.firstUncovered = { seq: e.seq, at: e.at };
        seen.newestAt = e.at;
        yield e;
      }
    }
    const result = await verifyChain(tapped());
    const interval = options.checkpointIntervalSeconds;
    const checkpointProblem =
      checkCheckpointChain(checkpoints, key ? checkpointVerifier(key) : null) ??
      (result.ok ? checkChainAgainstCheckpoints(checkpoints, result.entries, hashAt) : null) ??
      (result.ok && interval !== undefined
        ? checkCheckpointCoverage(checkpoints, seen.firstUncovered, seen.newestAt, interval * 1000)
        : null);
    const last = checkpoints.at(-1);
    const summary = {
      count: checkpoints.length,
      latest: last ? { n: last.n, seq: last.seq, at: last.at.toISOString() } : null,
    };
    if (result.ok)
      return {
        ok: checkpointProblem === null,
        entries: result.entries,
        head: result.head,
        brokenAt: null,
        checkpoints: summary,
        checkpointProblem,
      };
    return {
      ok: false,
      entries: result.entries,
      head: null,
      brokenAt: result.brokenAt,
      checkpoints: summary,
      checkpointProblem,
    };
  }

  /**
   * Signs the chain head as the next checkpoint, unless another node signed this head less than `minGapMs`
   * ago. Under the audit lock, so the head cannot move and two nodes never take the same number.
   */
  async checkpoint(minGapMs = 0): Promise<AuditCheckpoint | null> {
    const signer = this.signer;
    if (!signer) throw new Error('no audit checkpoint key: the AuditService was made without a signer');
    return this.handle.db.transaction(async (tx) => {
      if (this.handle.mode === 'postgresql')
        await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
      const [head] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .orderBy(desc(auditLog.seq))
        .limit(1);
      const [prev] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.n)).limit(1);
      const now = new Date();
      const seq = head?.seq ?? 0;
      if (prev && prev.seq === seq && now.getTime() - prev.at.getTime() < minGapMs) return null;
      const checkpoint = await signCheckpoint(
        {
          n: (prev?.n ?? 0) + 1,
          seq,
          hash: head?.hash ?? GENESIS_HASH,
          at: now,
          prevSignature: prev?.signature ?? '',
        },
        signer,
      );
      await tx.insert(auditCheckpoints).values(checkpoint);
      return checkpoint;
    });
  }

  private checkpoints(): Promise<AuditCheckpoint[]> {
    return this.handle.db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.n));
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
    const like = query.search === undefined ? undefined : `%${query.search.replace(/[\\%_]/g, '\\$&')}%`;
    const where = and(
      query.beforeSeq === undefined ? undefined : lt(auditLog.seq, query.beforeSeq),
      query.action === undefined ? undefined : eq(auditLog.action, query.action),
      query.actors === undefined
        ? undefined
        : query.actors.length === 0
          ? sql`false`
          : or(...query.actors.map((a) => and(eq(auditLog.actorType, a.type), eq(auditLog.actorId, a.id)))),
      query.from === undefined ? undefined : gte(auditLog.at, query.from),
      query.to === undefined ? undefined : lt(auditLog.at, query.to),
      like === undefined ? undefined : or(ilike(auditLog.action, like), ilike(auditLog.target, like)),
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
