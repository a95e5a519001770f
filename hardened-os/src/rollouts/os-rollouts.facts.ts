import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { RegistryRepository, type DeviceModelRow, type ReleaseRow } from '../registry/registry.repository.js';
import { targetOf, type RolloutFacts, type TargetDevice } from './rollout-target.js';
import { RolloutsRepository } from './rollouts.repository.js';

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
  private snapshot: Snapshot | null = null;
  private lastGood: Snapshot | null = null;
  private loading: Promise<Snapshot> | null = null;
  private generation = 0;

  constructor(
    private readonly rollouts: RolloutsRepository,
    private readonly registry: RegistryRepository,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  invalidate(): void {
    this.generation++;
    this.snapshot = null;
    this.loading = null;
  }

  onApplicationShutdown(): void {
    this.invalidate();
  }

  async targetFor(device: TargetDevice): Promise<OsUpdateTarget | null> {
    return targetOf(await this.current(), device);
  }

  private current(): Promise<Snapshot> {
    const s = this.snapshot;
    if (s && Date.now() - s.at < ROLLOUT_SNAPSHOT_TTL_MS) return Promise.resolve(s);
    return (this.loading ??= this.reload());
  }

  private reload(): Promise<Snapshot> {
    const generation = this.generation;
    const loading: Promise<Snapshot> = this.read()
      .then(
        (fresh) => {
          if (generation === this.generation) this.snapshot = fresh;
          this.lastGood = fresh;
          return fresh;
        },
        (err: unknown) => {
          const stale = this.lastGood;
          if (!stale) throw err;
          this.logger?.warn(
            { err, snapshotAgeMs: Date.now() - stale.at },
            'reading the OS rollouts failed: serving their last snapshot',
          );
          return stale;
        },
      )
      .finally(() => {
        if (this.loading === loading) this.loading = null;
      });
    return loading;
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
