import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { LOGGER, webhookHeaders, type DevicePrincipal, type Logger } from '@pakawaaz/platform';
import { DeliveryService } from '../delivery/delivery.service.js';
import { BOT_SECRETS, type BotSecrets } from './bot-secrets.js';
import { BOTS_CONFIG, webhookUrlProblem, type BotsConfig } from './bots.config.js';
import { BotsRepository } from './bots.repository.js';
import { BotWakeTap } from './bot-wake-tap.js';
import type { ChatBotRow } from './bots.schema.js';
import { guardedLookup, postWebhook, webhookFailure } from './webhook-post.js';

/** Envelopes one webhook call carries at most (and at most INBOX_BYTES of them, 1 MiB, but always one). */
export const WEBHOOK_BATCH = 100;

/** What a bot's webhook receives (JSON, signed per Standard Webhooks): its queue, still MLS ciphertext. */
export type BotDelivery = {
  type: 'chat.deliver';
  botId: string;
  envelopes: Awaited<ReturnType<DeliveryService['inbox']>>;
};

/** The wait before retry `attempt` (1, 2, …): doubling from one second up to `capMs`, with ±20 % jitter. */
export const retryDelay = (attempt: number, capMs: number, random = Math.random): number =>
  Math.round(Math.min(capMs, 1000 * 2 ** Math.min(attempt - 1, 30)) * (0.8 + 0.4 * random()));

/** How a drain ended: the queue emptied, a delivery failed (the retry is scheduled), the lease was lost. */
type Drained = 'empty' | 'failed' | 'lost' | 'stopped';

/**
 * A bot has no socket: its queue is POSTed to its webhook, signed (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature`), and acknowledged on a 2xx — at least once, in `seq` order, the
 * same `webhook-id` for the same envelopes on every retry. One node delivers a bot's queue at a time,
 * cluster-wide: it claims the bot's drain lease in the database (renewed per batch, released at the end, left
 * to expire by a node that dies). A failure sets the bot's next attempt (exponential back-off) in the database
 * too: no node claims the bot before it, and a timer fires then. A sweep every 15 s picks up queues another node
 * filled, or that waited through a restart or a lease left by a dead node.
 */
@Injectable()
export class BotWebhooks implements OnApplicationBootstrap, OnModuleDestroy {
  /** Active bots' ids (refreshed by the sweep): a wake for any other device costs nothing here. */
  private readonly botIds = new Set<string>();
  private readonly running = new Set<string>();
  /** Bots due while `webhookConcurrency` queues were being delivered: they start as those finish, in order. */
  private readonly pending = new Set<string>();
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly bots: BotsRepository,
    private readonly delivery: DeliveryService,
    @Inject(BOTS_CONFIG) private readonly config: BotsConfig,
    @Inject(BOT_SECRETS) private readonly secrets: BotSecrets,
    tap: BotWakeTap,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {
    tap.listener = (ids) => this.queued(ids);
  }

  onApplicationBootstrap(): void {
    this.sweeper = setInterval(() => void this.sweep(), this.config.sweepMs);
    this.sweeper.unref();
    void this.sweep();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const t of this.waiting.values()) clearTimeout(t);
    this.waiting.clear();
    this.pending.clear();
  }

  /** CHAT_WAKE's `queued`: devices whose queue grew (a bot among them is delivered to now, unless backing off). */
  queued(deviceIds: readonly string[]): void {
    for (const id of deviceIds) if (this.botIds.has(id) && !this.waiting.has(id)) void this.kick(id);
  }

  /** A bot enrolled or disabled on this node (the sweep tells the others). */
  remember(id: string, active: boolean): void {
    if (active) this.botIds.add(id);
    else this.botIds.delete(id);
  }

  /** Delivers the due queues; a retry due before the next sweep gets a timer (its node may have died). */
  private async sweep(): Promise<void> {
    try {
      const ids = await this.bots.activeIds();
      this.botIds.clear();
      for (const id of ids) this.botIds.add(id);
      for (const bot of await this.bots.activeWithQueue(this.config.sweepMs)) {
        if (this.waiting.has(bot.id)) continue;
        if (bot.waitMs === 0) void this.kick(bot.id);
        else if (bot.waitMs <= this.config.sweepMs) this.retryIn(bot.id, bot.waitMs);
      }
    } catch (err) {
      this.logger?.warn({ err }, 'bot webhook sweep failed');
    }
  }

  private retryIn(id: string, ms: number): void {
    clearTimeout(this.waiting.get(id));
    const timer = setTimeout(() => {
      this.waiting.delete(id);
      void this.kick(id);
    }, ms);
    timer.unref();
    this.waiting.set(id, timer);
  }

  /**
   * Claims the bot's lease and drains its queue, unless another node drains it or it backs off. After the
   * release the queue is looked at once more: a wake that came while the lease was held found it taken. At most
   * `webhookConcurrency` bots at once: a bot due beyond waits in `pending` (no lease claimed while it waits).
   */
  private async kick(id: string): Promise<void> {
    if (this.running.has(id) || this.stopped) return;
    if (this.running.size >= this.config.webhookConcurrency) {
      this.pending.add(id);
      return;
    }
    this.pending.delete(id);
    this.running.add(id);
    try {
      for (let again = true; again && !this.stopped;) {
        const token = randomUUID();
        const bot = await this.bots.claimDrain(id, token, this.config.drainLeaseMs);
        if (!bot) return;
        let drained: Drained;
        try {
          drained = await this.drain(bot, token);
        } finally {
          await this.bots.releaseDrain(id, token);
        }
        again = drained === 'empty' && (await this.bots.hasQueue(id));
      }
    } catch (err) {
      this.logger?.error({ err, botId: id }, 'bot webhook delivery failed');
    } finally {
      this.running.delete(id);
      const next = this.pending.values().next();
      if (!next.done) void this.kick(next.value);
    }
  }

  /** Delivers the queue batch by batch until it is empty or a delivery fails (then schedules the retry). */
  private async drain(bot: ChatBotRow, token: string): Promise<Drained> {
    const principal: DevicePrincipal = {
      deviceId: bot.id,
      userId: bot.id,
      institutionId: bot.institutionId,
      certThumbprint: '',
      compliance: 'compliant',
      kind: 'bot',
    };
    let failures = bot.failures;
    for (let batch = 0; ; batch++) {
      if (this.stopped) return 'stopped';
      if (batch > 0 && !(await this.bots.renewDrain(bot.id, token, this.config.drainLeaseMs))) {
        return this.lost(bot.id);
      }
      const envelopes = await this.delivery.inbox(principal, 0, { limit: WEBHOOK_BATCH });
      if (envelopes.length === 0) return 'empty';
      const upTo = envelopes[envelopes.length - 1]!.seq;
      const body = JSON.stringify({ type: 'chat.deliver', botId: bot.id, envelopes } satisfies BotDelivery);
      const problem = await this.post(bot, `msg_${bot.id}_${envelopes[0]!.seq}_${upTo}`, body);
      if (problem === null) {
        // The ack is not fenced by the lease, on purpose: it deletes the queue up to `upTo`, and this node got a
        // 2xx for exactly those envelopes — they were delivered, whoever holds the lease now. Acks are monotonic
        // ("up to seq", idempotent): a late ack of a batch another node has since POSTed and acked removes
        // nothing more, and never reaches past what this node POSTed. The row's delivery state is fenced.
        await this.delivery.ack(principal, upTo);
        if (!(await this.bots.delivered(bot.id, token))) return this.lost(bot.id);
        failures = 0;
        continue;
      }
      failures += 1;
      const wait = retryDelay(failures, this.config.maxBackoffMs);
      const at = await this.bots.backOff(bot.id, token, failures, problem, wait);
      // The POST outlived the lease: the node holding it now decides; this late failure changes nothing.
      if (at === null) return this.lost(bot.id);
      this.logger?.warn(
        { botId: bot.id, failures, problem, retryAt: at.toISOString() },
        'bot webhook refused a delivery',
      );
      this.retryIn(bot.id, wait);
      return 'failed';
    }
  }

  private lost(botId: string): Drained {
    this.logger?.warn({ botId }, 'bot webhook lease lost (expired, claimed by another node)');
    return 'lost';
  }

  /**
   * One signed POST; null on a 2xx, else what went wrong as `webhookFailure`'s category or `HTTP <status>` (no
   * redirect is followed). The URL is checked as at
   * registration, against the current allow-list (private networks only for a host it names); a name is
   * resolved at connect time and its address checked then (webhook-post.ts).
   */
  private async post(bot: ChatBotRow, id: string, body: string): Promise<string | null> {
    // The registration check again, under today's allow-list: a URL registered while the list was unset
    // (public addresses only) does not gain private networks when the operator sets a list that omits it.
    const refused = webhookUrlProblem(bot.webhookUrl, this.config.loopbackHttp, this.config.webhookHosts);
    if (refused) {
      this.logger?.warn({ botId: bot.id, refused }, 'bot webhook URL refused');
      return 'address not allowed';
    }
    // During a rotation's overlap, signed with the old secret too: the receiver switches when it is ready.
    const secrets = [await this.secrets.open(bot.webhookSecret)];
    if (
      bot.previousWebhookSecret &&
      bot.previousSecretUntil &&
      bot.previousSecretUntil.getTime() > Date.now()
    )
      secrets.push(await this.secrets.open(bot.previousWebhookSecret));
    const headers = webhookHeaders(secrets, id, Math.floor(Date.now() / 1000), body);
    const url = new URL(bot.webhookUrl);
    const lookup = guardedLookup({
      loopback: this.config.loopbackHttp && url.protocol === 'http:',
      privateNetworks: this.config.webhookHosts.length > 0,
    });
    try {
      const status = await postWebhook(
        bot.webhookUrl,
        { 'content-type': 'application/json', ...headers },
        body,
        { timeoutMs: this.config.webhookTimeoutMs, lookup },
      );
      return status >= 200 && status < 300 ? null : `HTTP ${status}`;
    } catch (err) {
      // The detail (addresses, ports) for the operator's log only; the chat-admin's list gets its category.
      this.logger?.warn({ err, botId: bot.id }, 'bot webhook POST failed');
      return webhookFailure(err);
    }
  }
}
