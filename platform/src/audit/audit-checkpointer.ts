import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { PlatformConfig } from '../config/platform.config.js';
import { LOGGER, PLATFORM_CONFIG } from '../http/platform.tokens.js';
import type { AuditCheckpoint } from './audit-checkpoint.js';
import { AuditService } from './audit.service.js';

/**
 * Writes a signed checkpoint of the audit chain at start, every PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS (also when
 * nothing happened: the newest checkpoint's age then shows whether checkpoints were deleted) and at shutdown.
 * Each one is logged as well, so a log shipped off the host holds a copy the database's users cannot reach.
 */
@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private lastSeq = 0;

  constructor(
    private readonly audit: AuditService,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const intervalMs = this.config.PAKAWAAZ_AUDIT_CHECKPOINT_SECONDS * 1000;
    await this.tick(0);
    // Several nodes share the log: a node skips a head another signed within half an interval.
    this.timer = setInterval(() => void this.tick(intervalMs / 2), intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.tick(0);
  }

  private tick(minGapMs: number): Promise<unknown> {
    this.running = this.audit.checkpoint(minGapMs).then(
      (c) => c && this.witness(c),
      (err: unknown) => this.logger.error({ err }, 'audit checkpoint failed'),
    );
    return this.running;
  }

  private witness(c: AuditCheckpoint): void {
    if (c.seq < this.lastSeq)
      this.logger.error(
        { auditCheckpoint: { n: c.n, seq: c.seq, before: this.lastSeq } },
        'the audit log has fewer entries than at the previous checkpoint: entries were deleted; run pakawaaz audit verify',
      );
    this.lastSeq = Math.max(this.lastSeq, c.seq);
    this.logger.info(
      {
        auditCheckpoint: {
          n: c.n,
          seq: c.seq,
          hash: c.hash,
          at: c.at.toISOString(),
          kid: c.kid,
          signature: c.signature,
        },
      },
      'audit checkpoint',
    );
  }
}
