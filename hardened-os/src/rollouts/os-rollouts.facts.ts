import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { RegistryRepository, type DeviceModelRow, type ReleaseRow } from '../registry/registry.repository.js';
import { targetOf, type RolloutFacts, type TargetDevice } from './rollout-target.js';
import { RolloutsRepository } from './rollouts.repository.js';
import { SnapshotCache } from '../snapshot-cache.js';

/** The release a device should move to now, as device-mgmt's OS_ROLLOUTS port names it. */
export type OsUpdateTarget = {
  rolloutId: string;
  releaseId: string;
  buildId: string;
  version: string;
  fingerprint: string;
  securityPatchLevel: string;
};

/** device-mgmt's OS_ROLLOUTS port (the server binds OsRolloutsFacts to it; the shapes match). */
export type OsRollouts = {
  targetFor(device: TargetDevice): Promise<OsUpdateTarget | null>;
};

/** How old the snapshot may get: other nodes' rollout changes reach this one within it. */
export const ROLLOUT_SNAPSHOT_TTL_MS = 10_000;

type Snapshot = RolloutFacts & { at: number };

/**
 * Answers device-mgmt's every check-in from a snapshot of the rollouts (active ones and each model's latest
 * completed one), their releases, the models and the institution rings: no query per check-in. The snapshot
 * is dropped at once after a change made on this node and re-read after the TTL; one read at a time; while
 * the database cannot be read the last snapshot is served, with a warning.
 */
@Injectable()
export class OsRolloutsFacts implements OsRollouts, OnApplicationShutdown {
  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly registry: RegistryRepository,
    @Optional() @Inject(LOGGER) logger?: Logger,
  ) {
    this.cache = new SnapshotCache({
      read: () => this.read(),
      ttlMs: ROLLOUT_SNAPSHOT_TTL_MS,
      what: 'the OS rollouts',
      logger,
    });
  }

  private readonly cache: SnapshotCache<Snapshot>;

  invalidate(): void {
    this.cache.invalidate();
  }

  onApplicationShutdown(): void {
    this.invalidate();
  }

  async targetFor(device: TargetDevice): Promise<OsUpdateTarget | null> {
    return targetOf(await this.current(), device);
  }

  private current(): Promise<Snapshot> {
    return this.cache.get();
  }

  private async read(): Promise<Snapshot> {
    const [rollouts, rings, models, releases] = await Promise.all([
      this.rollouts.current(),
      this.rollouts.rings(),
      this.registry.models(),
      this.registry.allReleases(),
    ]);
    return {
      rollouts,
      rings: new Map(rings.map((r) => [r.institutionId, r.ring])),
      models: models.map((m: DeviceModelRow) => ({ codename: m.codename, name: m.name })),
      releases: new Map(releases.map((r: ReleaseRow) => [r.id, r])),
      at: Date.now(),
    };
  }
}
