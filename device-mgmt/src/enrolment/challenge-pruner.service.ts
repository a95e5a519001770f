import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { EnrolmentRepository } from './enrolment.repository.js';

/** How often expired challenges are deleted. */
export const CHALLENGE_PRUNE_MS = 10 * 60_000;
/** Rows one statement deletes at most. */
export const CHALLENGE_PRUNE_BATCH = 1000;
/** Statements one run issues at most; what is left waits for the next run. */
export const CHALLENGE_PRUNE_MAX_BATCHES = 50;

export type PruneResult = { deleted: number; batches: number; more: boolean };

/**
 * Deletes expired enrolment and attestation challenges (32 bytes, single use, five minutes): every challenge
 * a handset asks for is a row, and nothing else removes them. It runs on a timer, never on a request, in
 * bounded batches with the event loop free between them; on several nodes each deletes what it finds (the
 * statements are idempotent).
 */
@Injectable()
export class ChallengePrunerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly repo: EnrolmentRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.pruneQuietly(), CHALLENGE_PRUNE_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async prune(
    now: Date = new Date(),
    batch = CHALLENGE_PRUNE_BATCH,
    maxBatches = CHALLENGE_PRUNE_MAX_BATCHES,
  ): Promise<PruneResult> {
    const result: PruneResult = { deleted: 0, batches: 0, more: false };
    while (result.batches < maxBatches) {
      const deleted = await this.repo.pruneChallenges(now, batch);
      result.batches += 1;
      result.deleted += deleted;
      if (deleted < batch) return result;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    result.more = true;
    return result;
  }

  private async pruneQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.prune()
      .then((r) => {
        if (r.deleted > 0) this.logger.debug(r, 'expired device challenges deleted');
      })
      .catch((err: unknown) =>
        this.logger.error({ err: { message: (err as Error).message } }, 'challenge pruning failed'),
      )
      .finally(() => (this.running = null));
    await this.running;
  }
}
