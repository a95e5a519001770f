import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, type DatabaseHandle } from '@pakawaaz/platform';
import { OtaFilesService } from './ota-files.service.js';
import { TufOnlineKeys } from './tuf-online-keys.js';
import type { Envelope } from './tuf-metadata.js';
import { publishOnline } from './tuf-repository.js';
import { TufMetadataRepository } from './tuf-metadata.repository.js';
import { requireRoot, type PublishedState } from './tuf-state.js';

/** Cluster-wide lock serialising publications (PostgreSQL; the embedded database has one node only). */
const PUBLISH_LOCK = 0x74756670;

/**
 * What the imports and the refresh share: the publication lock, the current state and the publication
 * itself. A publication is one transaction (all its rows or none: a failure leaves the previous one
 * served) whose version keys make a second node's publication of the same version fail rather than win
 * twice; the lock makes that rare.
 */
@Injectable()
export class TufPublisher {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    readonly repo: TufMetadataRepository,
    readonly keys: TufOnlineKeys,
    private readonly files: OtaFilesService,
  ) {}

  locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.database.withExclusiveLock(PUBLISH_LOCK, fn);
  }

  state(): Promise<PublishedState> {
    return this.repo.state();
  }

  compromised(): Promise<string[]> {
    return this.repo.compromised();
  }

  async publishFiles(files: ReadonlyMap<string, Buffer>): Promise<void> {
    try {
      await this.repo.publish(files);
    } finally {
      this.files.invalidate();
    }
  }

  /**
   * `targets` with a new snapshot and timestamp over it, signed by the online keys — and `also` (a new root)
   * in the same transaction.
   */
  async publishTargets(
    targets: Envelope<'targets'>,
    state: PublishedState,
    also: ReadonlyMap<string, Buffer> = new Map(),
    now = new Date(),
  ): Promise<void> {
    const root = requireRoot(state);
    const compromised = await this.compromised();
    const out = await publishOnline({
      targets,
      snapshotVersion: (state.snapshot?.signed.version ?? 0) + 1,
      timestampVersion: (state.timestamp?.signed.version ?? 0) + 1,
      now,
      snapshotSigners: [await this.keys.usable('snapshot', root, compromised)],
      timestampSigners: [await this.keys.usable('timestamp', root, compromised)],
    });
    await this.publishFiles(new Map([...also, ...out.files]));
  }
}
