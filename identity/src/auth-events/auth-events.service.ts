import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  isNational,
  LOGGER,
  requireNational,
  requireRole,
  scopeCondition,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config.js';
import {
  AUTH_EVENT_REASONS,
  maskIdentity,
  maskImsi,
  type AuthEventChannel,
  type AuthEventReason,
  type AuthEventResult,
} from './auth-event-reasons.js';
import { AuthEventQueue, type QueuedEvent, type QueueStats } from './auth-event-queue.js';
import { maskUnknownName, safeText } from './auth-event-text.js';
import { AuthEventsRepository, type AuthEventFilter, type NasCounter } from './auth-events.repository.js';
import { authEvents, type AuthEventRow } from './auth-events.schema.js';

export type AuthEventInput = {
  readonly channel: AuthEventChannel;
  readonly result: AuthEventResult;
  readonly reason: AuthEventReason;
  readonly method?: string | null;
  readonly username?: string | null | undefined;
  readonly user?: { readonly id: string; readonly institutionId: string | null } | null | undefined;
  readonly imsi?: string | null | undefined;
  readonly client?: { readonly id: string; readonly name: string } | null | undefined;
  readonly source?: string | null | undefined;
  readonly at?: Date;
};

export type AuthEventView = Omit<AuthEventRow, 'institutionId'> & { reasonText: string };

/** Events buffered at most; beyond it new ones are counted as lost (`stats().lost`). */
export const AUTH_EVENT_QUEUE_CAPACITY = 20_000;
const WRITE_BATCH = 500;
const FLUSH_MS = 1_000;
const PRUNE_MS = 3_600_000;
const PRUNE_BATCH = 5_000;
/** One pruning run deletes at most this many batches; the next run carries on. */
const PRUNE_BATCHES_PER_RUN = 200;
const DAY_MS = 86_400_000;
/**
 * A name that matched no account is often a password typed into the user-name field: such names are
 * stored only masked (`maskUnknownName`). EAP identities (NAIs) are not typed and stay as they are.
 */
const UNKNOWN_NAME_REASONS: ReadonlySet<AuthEventReason> = new Set(['unknown_user', 'malformed_request']);
const TYPED_NAME_METHODS: ReadonlySet<string> = new Set(['pap', 'password']);
/** Inserts one failed batch may cost while it is halved to find its bad rows (2n−1 for n = 500 is 999). */
const SPLIT_INSERTS_MAX = 64;

/**
 * The sign-in event log (Keycloak's login events, FreeRADIUS's post-auth log): `record` only queues, so
 * neither RADIUS nor HTTP sign-ins ever wait for it; a timer writes batches, shutdown writes the rest, and
 * an hourly job prunes events older than the retention in bounded batches. Reads are scoped: national
 * viewers see every event, an institution's security officer only their institution's officials — with
 * IMSIs masked.
 */
@Injectable()
export class AuthEventsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly queue = new AuthEventQueue(AUTH_EVENT_QUEUE_CAPACITY);
  private written = 0;
  private writeFailures = 0;
  private flushing: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly repository: AuthEventsRepository,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const flush = setInterval(() => void this.flush(), FLUSH_MS);
    const prune = setInterval(() => void this.pruneQuietly(), PRUNE_MS);
    this.timers = [flush, prune];
    for (const t of this.timers) t.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flush();
  }

  /**
   * Queues one event; never throws, never waits. Every text field is made safe here (control characters
   * escaped, lengths capped): one NUL from a NAS would otherwise fail the insert of its whole batch.
   */
  record(e: AuthEventInput): void {
    const unknownName =
      !e.user && (UNKNOWN_NAME_REASONS.has(e.reason) || TYPED_NAME_METHODS.has(e.method ?? ''));
    this.queue.push({
      at: e.at?.getTime() ?? Date.now(),
      channel: e.channel,
      result: e.result,
      reason: e.reason,
      method: safeText(e.method, 32),
      username: unknownName ? maskUnknownName(e.username) : safeText(e.username, 253),
      userId: e.user?.id ?? null,
      institutionId: e.user?.institutionId ?? null,
      imsi: safeText(e.imsi, 32),
      clientId: e.client?.id ?? null,
      clientName: safeText(e.client?.name, 253),
      source: safeText(e.source, 200),
      count: 1,
    });
  }

  /**
   * Writes everything queued so far. A batch the database refuses is halved and retried (within
   * SPLIT_INSERTS_MAX inserts), so one bad row loses itself, not the 499 beside it.
   */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const batch = this.queue.take(WRITE_BATCH);
      const budget: WriteBudget = { inserts: SPLIT_INSERTS_MAX, wrote: 0 };
      await this.write(batch, budget);
      if (budget.wrote === 0) return; // the database is down: the next flush tries again
    }
  }

  private async write(batch: QueuedEvent[], budget: WriteBudget): Promise<void> {
    if (budget.inserts-- <= 0) {
      this.queue.lose(batch.reduce((n, e) => n + e.count, 0));
      return;
    }
    try {
      await this.repository.insert(batch.map((q) => ({ ...q, id: randomUUID(), at: new Date(q.at) })));
      this.written += batch.length;
      budget.wrote += batch.length;
    } catch (err) {
      this.writeFailures++;
      if (batch.length > 1 && budget.inserts > 0 && isDataError(err)) {
        const half = Math.ceil(batch.length / 2);
        await this.write(batch.slice(0, half), budget);
        await this.write(batch.slice(half), budget);
        return;
      }
      this.queue.lose(batch.reduce((n, e) => n + e.count, 0));
      this.logger.error({ err, events: batch.length }, 'sign-in events not written');
    }
  }

  stats(): QueueStats {
    return {
      queued: this.queue.size,
      written: this.written,
      lost: this.queue.lost,
      writeFailures: this.writeFailures,
    };
  }

  /** Deletes events older than the retention, batch by batch; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.authEventsRetentionDays * DAY_MS);
    let total = 0;
    for (let i = 0; i < PRUNE_BATCHES_PER_RUN; i++) {
      const n = await this.repository.pruneBatch(before, PRUNE_BATCH);
      total += n;
      if (n < PRUNE_BATCH) break;
    }
    return total;
  }

  private async pruneQuietly(): Promise<void> {
    try {
      const deleted = await this.prune();
      if (deleted > 0) this.logger.info({ deleted }, 'pruned sign-in events past their retention');
    } catch (err) {
      this.logger.error({ err }, 'could not prune sign-in events');
    }
  }

  async list(principal: Principal, filter: AuthEventFilter): Promise<AuthEventView[]> {
    requireRole(principal, 'security-officer', 'viewer', 'network-admin');
    const rows = await this.repository.list(filter, scopeCondition(principal, authEvents.institutionId));
    const national = isNational(principal);
    return rows.map(({ institutionId: _, ...r }) => ({
      ...r,
      ...(national
        ? {}
        : { imsi: r.imsi && maskImsi(r.imsi), username: r.username && maskIdentity(r.username) }),
      reasonText: reasonText(r.reason),
    }));
  }

  /** Accepts, rejects and drops per NAS client (null: unknown addresses) and reason since `since`. */
  async nasCounters(principal: Principal, since: Date): Promise<NasCounter[]> {
    requireNational(principal);
    requireRole(principal, 'viewer', 'network-admin', 'security-officer');
    return this.repository.nasCounters(since);
  }
}

type WriteBudget = { inserts: number; wrote: number };

/** PostgreSQL's data exceptions and constraint violations (SQLSTATE classes 22, 23): a row is at fault. */
function isDataError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^2[23]/.test(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export const reasonText = (reason: string): string =>
  (AUTH_EVENT_REASONS as Record<string, string>)[reason] ?? reason;
