import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { OsUpdateRecorder } from './os-update-recorder.js';

const RELAY_MS = 30_000;
/** A row younger than this is left to the request that wrote it (it publishes right after its commit). */
const GRACE_MS = 10_000;

/**
 * The outbox relay: OS update events whose publication after commit did not happen (the node died in
 * between, the bus was down) are published on the next pass, on whichever node runs it first; a repeat
 * carries the same event id.
 */
@Injectable()
export class OsUpdateRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly recorder: OsUpdateRecorder,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.recorder.enabled) return;
    this.timer = setInterval(() => void this.passQuietly(), RELAY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: publishes what was left unpublished before `now - GRACE_MS`. */
  pass(now: Date = new Date()): Promise<number> {
    return this.recorder.publish(null, new Date(now.getTime() - GRACE_MS));
  }

  private async passQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.pass().catch((err: unknown) =>
      this.logger.error({ err }, 'the OS update event relay failed'),
    );
    await this.running;
    this.running = null;
  }
}
