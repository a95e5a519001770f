import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { retentionCutoff } from './chat-policy-rules.js';
import { ChatPolicyRepository } from './chat-policy.repository.js';

/** How often the sweep runs. */
export const CHAT_SWEEP_MS = 10 * 60_000;
/** Rows one statement deletes at most; a run repeats up to CHAT_SWEEP_ROUNDS times per kind. */
export const CHAT_SWEEP_BATCH = 1000;
const CHAT_SWEEP_ROUNDS = 50;

export type ChatSweepResult = {
  envelopes: number;
  sends: number;
  keyPackages: number;
  heldMetadata: number;
  staleProposals: number;
  departures: number;
};

/**
 * Server-side retention: envelopes that waited longer than their recipient institution's retention, client ids
 * older than the idempotency window, KeyPackages past their lifetime, metadata kept under a hold that was
 * lifted, the server's external proposals of epochs their group has left, and settled group departures older
 * than the idempotency window (a repeated leave within it gets the same answer; after it, 404). On a timer,
 * never on a request; bounded batches with the event loop free between them. Several nodes may sweep at once:
 * each delete is idempotent.
 */
@Injectable()
export class ChatRetentionSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly repo: ChatPolicyRepository,
    @Inject(SECURE_CHAT_CONFIG) private readonly config: SecureChatConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweepQuietly(), CHAT_SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now = new Date(), batch = CHAT_SWEEP_BATCH): Promise<ChatSweepResult> {
    const days = this.config.retentionDays;
    const shortest = Math.min(days, ...(await this.repo.policies(null)).map((p) => p.retentionDays));
    const floor = retentionCutoff(now, shortest);
    const sendsBefore = retentionCutoff(now, this.config.clientIdDays);
    return {
      envelopes: await rounds(batch, () => this.repo.purgeQueue(now, floor, days, batch)),
      sends: await rounds(batch, () => this.repo.purgeSends(sendsBefore, batch)),
      keyPackages:
        (await rounds(batch, () => this.repo.purgeKeyPackages(now, batch))) +
        (await rounds(batch, () => this.repo.purgeClaimedKeyPackages(now, batch))),
      heldMetadata: await rounds(batch, () => this.repo.purgeReleased(batch)),
      staleProposals: await rounds(batch, () => this.repo.purgeStaleProposals(batch)),
      departures: await rounds(batch, () => this.repo.purgeSettledDepartures(sendsBefore, batch)),
    };
  }

  private async sweepQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .then((r) => {
        if (Object.values(r).some((n) => n > 0)) this.logger.info(r, 'chat swept');
      })
      .catch((err: unknown) =>
        this.logger.error({ err: { message: (err as Error).message } }, 'chat sweep failed'),
      )
      .finally(() => (this.running = null));
    await this.running;
  }
}

/** Repeats a batch delete while batches come back full (bounded), yielding between them. */
async function rounds(batch: number, step: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < CHAT_SWEEP_ROUNDS; i++) {
    const n = await step();
    total += n;
    if (n < batch) break;
    await new Promise((r) => setImmediate(r));
  }
  return total;
}
