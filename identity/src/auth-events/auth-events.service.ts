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
import { AuthEventQueue, type QueueStats } from './auth-event-queue.js';
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

  /** Queues one event; never throws, never waits. */
  record(e: AuthEventInput): void {
    this.queue.push({
      at: e.at?.getTime() ?? Date.now(),
      channel: e.channel,
      result: e.result,
      reason: e.reason,
      method: e.method ?? null,
      username: e.username?.slice(0, 253) || null,
      userId: e.user?.id ?? null,
      institutionId: e.user?.institutionId ?? null,
      imsi: e.imsi ?? null,
      clientId: e.client?.id ?? null,
      clientName: e.client?.name ?? null,
      source: e.source?.slice(0, 200) ?? null,
      count: 1,
    });
  }

  /** Writes everything queued so far (a batch that fails is logged and counted as lost, not retried). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const batch = this.queue.take(WRITE_BATCH);
      try {
        await this.repository.insert(batch.map((q) => ({ ...q, id: randomUUID(), at: new Date(q.at) })));
        this.written += batch.length;
      } catch (err) {
        this.writeFailures++;
        this.queue.lose(batch.reduce((n, e) => n + e.count, 0));
        this.logger.error({ err, events: batch.length }, 'sign-in events not written');
        return;
      }
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

export const reasonText = (reason: string): string =>
  (AUTH_EVENT_REASONS as Record<string, string>)[reason] ?? reason;
