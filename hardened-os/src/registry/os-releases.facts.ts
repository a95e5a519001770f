import { Inject, Injectable, Optional } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import {
  bootKeyVerdict,
  floorFor,
  latestOf,
  normDigest,
  type BootKeyStatus,
  type KeyRow,
  type ReleaseChannel,
} from './registry-rules.js';
import { RegistryRepository, type DeviceModelRow } from './registry.repository.js';
import { SnapshotCache } from '../snapshot-cache.js';

/** A release as device management sees it. */
export type OsReleaseSummary = {
  id: string;
  model: string;
  buildId: string;
  fingerprint: string;
  version: string;
  securityPatchLevel: string;
  channel: ReleaseChannel;
};

/**
 * What hardened-os tells device management (bound by the server to device-mgmt's HARDENED_OS_RELEASES port;
 * the shapes match it). Boot keys and patch floors are few and read on every check-in, so they are answered
 * from a snapshot: refreshed after SNAPSHOT_TTL_MS, and at once on this node after a change made here (other
 * nodes of a cluster see a change within the TTL). One read at a time (single flight); when a read fails
 * the last snapshot is served, with a warning.
 */
export type OsRegistryFacts = {
  bootKeys(): Promise<readonly string[]>;
  bootKeyStatus(model: string | null, digest: string): Promise<BootKeyStatus | 'unknown'>;
  isOurBootKey(model: string | null, digest: string): Promise<boolean>;
  compromisedBootKeys(): Promise<readonly string[]>;
  minimumPatchLevel(institutionId?: string | null): Promise<number | null>;
  latestRelease(model: string, channel: ReleaseChannel): Promise<OsReleaseSummary | null>;
};

export const SNAPSHOT_TTL_MS = 30_000;

type Snapshot = {
  keys: KeyRow[];
  models: DeviceModelRow[];
  floors: Map<string, number>;
  at: number;
  /** Computed on first use. */
  compromised?: readonly string[];
};

@Injectable()
export class OsReleasesFacts implements OsRegistryFacts {
  constructor(
    private readonly repo: RegistryRepository,
    @Optional() @Inject(LOGGER) logger?: Logger,
  ) {
    this.cache = new SnapshotCache({
      read: () => this.read(),
      ttlMs: SNAPSHOT_TTL_MS,
      what: 'the OS registry',
      logger,
    });
  }

  /** The snapshot questions are answered from (single flight, last good one served on a failed read). */
  private readonly cache: SnapshotCache<Snapshot>;

  /** Drops the snapshot: the next question reads the database (a read already in flight is not awaited). */
  invalidate(): void {
    this.cache.invalidate();
  }

  /** Keys a handset may boot with at enrolment: active and retired ones, never a compromised one. */
  async bootKeys(): Promise<readonly string[]> {
    const { keys } = await this.current();
    const compromised = new Set(keys.filter((k) => k.status === 'compromised').map((k) => k.digest));
    return [...new Set(keys.filter((k) => !compromised.has(k.digest)).map((k) => k.digest))];
  }

  async bootKeyStatus(model: string | null, digest: string): Promise<BootKeyStatus | 'unknown'> {
    const { keys, models } = await this.current();
    return bootKeyVerdict(keys, codenameOf(models, model), normDigest(digest));
  }

  async isOurBootKey(model: string | null, digest: string): Promise<boolean> {
    const status = await this.bootKeyStatus(model, digest);
    return status === 'active' || status === 'retired';
  }

  /** The same array while the snapshot lasts (device-mgmt asks at every check-in and keys its Set on it). */
  async compromisedBootKeys(): Promise<readonly string[]> {
    const snapshot = await this.current();
    snapshot.compromised ??= [
      ...new Set(snapshot.keys.filter((k) => k.status === 'compromised').map((k) => k.digest)),
    ];
    return snapshot.compromised;
  }

  async minimumPatchLevel(institutionId?: string | null): Promise<number | null> {
    return floorFor((await this.current()).floors, institutionId);
  }

  async latestRelease(model: string, channel: ReleaseChannel): Promise<OsReleaseSummary | null> {
    const { models } = await this.current();
    const codename = codenameOf(models, model) ?? model;
    const latest = latestOf(await this.repo.releases({ model: codename }), codename, channel);
    if (!latest) return null;
    const { id, buildId, fingerprint, version, securityPatchLevel } = latest;
    return {
      id,
      model: codename,
      buildId,
      fingerprint,
      version,
      securityPatchLevel,
      channel: latest.channel,
    };
  }

  private current(): Promise<Snapshot> {
    return this.cache.get();
  }

  private async read(): Promise<Snapshot> {
    const [keys, models, floors] = await Promise.all([
      this.repo.keys(),
      this.repo.models(),
      this.repo.floors(),
    ]);
    return {
      keys: keys.map((k) => ({ model: k.model, digest: k.digest, status: k.status })),
      models,
      floors: new Map(floors.map((f) => [f.scope, f.minimumPatchLevel])),
      at: Date.now(),
    };
  }
}

/**
 * The registered codename a device's model label names: the codename itself or the marketing name (what
 * attestationIdModel carries), case-insensitively; null when the registry does not know the model.
 */
function codenameOf(models: readonly DeviceModelRow[], label: string | null): string | null {
  if (label === null) return null;
  const l = label.trim().toLowerCase();
  return models.find((m) => m.codename === l || m.name?.toLowerCase() === l)?.codename ?? null;
}
