import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';

/** How often expired files and abandoned uploads are deleted. */
export const FILES_SWEEP_MS = 10 * 60_000;
/** Files one run deletes at most; what is left waits for the next run. */
export const FILES_SWEEP_BATCH = 500;
/** Tombstones (links that answer 410) are kept this long after deletion, then purged (links answer 404). */
export const TOMBSTONE_KEEP_MS = 30 * 86_400_000;

export type SweepResult = { deleted: number; purged: number };

/**
 * Deletes complete files past their expiry and uploads abandoned before their last byte, releasing their
 * quota, and purges old tombstones. It runs on a timer, never on a request, one file at a time with the event
 * loop free between them; on several nodes each deletes what it finds (FilesService.discard releases once).
 */
@Injectable()
export class FilesSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly files: FilesService,
    private readonly repo: FilesRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.files.config.unsharedInCluster)
      this.logger.warn(
        { dir: this.files.config.dir },
        'cluster mode (NATS_URL) with chat attachments in this node’s data folder: another node cannot read what this one stores; set PAKAWAAZ_CHAT_FILES_DIR to one shared folder on every node',
      );
    this.timer = setInterval(() => void this.sweepQuietly(), FILES_SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async sweep(now: Date = this.files.now(), batch = FILES_SWEEP_BATCH): Promise<SweepResult> {
    let deleted = 0;
    for (const { id } of await this.repo.expired(now, batch)) {
      const row = await this.repo.byId(id);
      if (row && (await this.files.discard(row))) deleted += 1;
    }
    const purged = await this.repo.purgeTombstones(new Date(now.getTime() - TOMBSTONE_KEEP_MS), batch);
    return { deleted, purged };
  }

  private async sweepQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .then((r) => {
        if (r.deleted + r.purged > 0) this.logger.info(r, 'chat files swept');
      })
      .catch((err: unknown) =>
        this.logger.error({ err: { message: (err as Error).message } }, 'chat files sweep failed'),
      )
      .finally(() => (this.running = null));
    await this.running;
  }
}
