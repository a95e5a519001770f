import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';

/** How often expired files and abandoned uploads are deleted. */
export const FILES_SWEEP_MS = 10 * 60_000;
/** Files (and tombstones) one batch deletes; a run takes batch after batch until none is left. */
export const FILES_SWEEP_BATCH = 500;
/** Tombstones (links that answer 410) are kept this long after deletion, then purged (links answer 404). */
export const TOMBSTONE_KEEP_MS = 30 * 86_400_000;

/** Files deleted, tombstones purged, institutions whose usage counter was corrected. */
export type SweepResult = { deleted: number; purged: number; reconciled: number };

/** Lets the event loop serve what waits (requests, timers) between two batches. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes complete files past their expiry and uploads abandoned before their last byte, releasing their
 * quota, and purges old tombstones. It runs on a timer, never on a request, one file at a time with the event
 * loop free between them, in batches until nothing expired is left (a backlog of a million abandoned uploads
 * is cleared in one run, not over weeks of runs); on several nodes each deletes what it finds
 * (FilesService.discard releases once). Then it reconciles each institution's usage counter with its files
 * (see `reconcile`).
 */
@Injectable()
export class FilesSweepService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;
  private stopping = false;

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
    this.stopping = true; // the run ends after its batch, or its institution
    await this.running;
  }

  async sweep(now: Date = this.files.now(), batch = FILES_SWEEP_BATCH): Promise<SweepResult> {
    let deleted = 0;
    for (;;) {
      const ids = await this.repo.expired(now, batch);
      let inBatch = 0;
      for (const { id } of ids) {
        const row = await this.repo.byId(id);
        if (row && (await this.files.discard(row))) inBatch += 1;
      }
      deleted += inBatch;
      // A short batch was the last; one of which nothing was deleted (another node took them) would only spin.
      if (ids.length < batch || inBatch === 0 || this.stopping) break;
      await breathe();
    }
    let purged = 0;
    const before = new Date(now.getTime() - TOMBSTONE_KEEP_MS);
    for (;;) {
      const n = await this.repo.purgeTombstones(before, batch);
      purged += n;
      if (n < batch || this.stopping) break;
      await breathe();
    }
    return { deleted, purged, reconciled: await this.reconcile(batch) }; // none when stopping
  }

  /**
   * Recomputes each institution's `used_bytes` — a running counter, which reservations raise and deletions
   * lower — from its files (the charges of its uploads in progress and complete files, fileCharge), and
   * corrects it where it differs, with a warning: a bug that over- or under-released (past or future) is
   * undone within a sweep and shows in the log. Institutions in batches, one at a time; a shutdown stops it
   * before the next. Returns how many were corrected.
   */
  async reconcile(batch = FILES_SWEEP_BATCH): Promise<number> {
    let corrected = 0;
    let after: string | null = null;
    for (;;) {
      const ids = await this.repo.usageInstitutions(after, batch);
      for (const id of ids) {
        if (this.stopping) return corrected; // before the first institution, and between two
        if (await this.reconcileOne(id)) corrected += 1;
      }
      if (ids.length < batch || this.stopping) break;
      after = ids[ids.length - 1]!;
      await breathe();
    }
    return corrected;
  }

  /**
   * First the counter and the files' sum are compared without a lock (one statement, one snapshot): a right
   * counter, the usual case, costs no lock, so an institution with a million files does not hold its own
   * uploads and deletions for the time of the sum on every run of every node. Only when they differ is the
   * sum redone, and what it finds written, under the lock. Race-free under READ COMMITTED: the usage row is
   * locked first — the lock every reservation and deletion holds while it changes a file row and the counter
   * together, in one transaction — and only then, in a new statement (so a new snapshot), are the files
   * summed: a reservation or deletion that held the lock has committed and is counted, one that has not taken
   * it yet waits and applies its change to the corrected value. A deletion locks its file row before the
   * usage row; this locks no file row, so no deadlock.
   */
  private async reconcileOne(institutionId: string): Promise<boolean> {
    const seen = await this.repo.usageAndHeld(institutionId);
    if (seen === null || seen.recorded === seen.held) return false;
    const drift = await this.repo.transaction(async (tx) => {
      const recorded = await this.repo.lockUsage(institutionId, tx);
      if (recorded === null) return null;
      const held = await this.repo.heldBytes(institutionId, tx);
      if (held === recorded) return null;
      await this.repo.setUsed(institutionId, held, tx);
      return { recorded, held };
    });
    if (!drift) return false;
    this.logger.warn(
      { institutionId, recordedBytes: drift.recorded, recomputedBytes: drift.held },
      'chat files: an institution’s recorded usage differed from what its files hold; corrected',
    );
    return true;
  }

  private async sweepQuietly(): Promise<void> {
    if (this.running) return;
    this.running = this.sweep()
      .then((r) => {
        if (r.deleted + r.purged + r.reconciled > 0) this.logger.info(r, 'chat files swept');
      })
      .catch((err: unknown) =>
        this.logger.error({ err: { message: (err as Error).message } }, 'chat files sweep failed'),
      )
      .finally(() => (this.running = null));
    await this.running;
  }
}
