import type { FileHandle } from 'node:fs/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { hardenedOsError } from '../hardened-os.errors.js';
import { PAYLOAD_STORE } from '../payloads/payloads.service.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { SnapshotCache } from '../snapshot-cache.js';
import { parseTargetPath } from './release-targets.js';
import { parseMetadata } from './tuf-metadata.js';
import type { TufRole } from './tuf-metadata.schema.js';
import { nameOf, TufMetadataRepository, type Heads } from './tuf-metadata.repository.js';

/**
 * How stale the served heads (timestamp.json, each role's latest version) may get: another node's
 * publication reaches this one within it (this node's own at once). Well below the timestamp's half-life.
 */
export const OTA_HEAD_TTL_MS = 5_000;
/** Versioned metadata never changes once published: this many files (of at most 1 MiB) stay in memory. */
const IMMUTABLE_CACHE = 16;
const IMMUTABLE_MAX_BYTES = 1024 * 1024;

type Head = { at: number; heads: Heads; timestamp: Buffer | undefined };
type Targets = Record<string, { hashes: { sha256: string } }>;
/** An OTA payload opened for a handset. */
export type OpenTarget = { readonly handle: FileHandle; readonly size: number };

/**
 * What /ota/ serves: metadata as published in the database, and a payload when the targets the current
 * timestamp leads to list it under that name and hash. Handsets poll timestamp.json: the heads are cached
 * for OTA_HEAD_TTL_MS, versioned files and the parsed targets list by version (a download must not re-read
 * and re-parse megabytes of metadata each time).
 */
@Injectable()
export class OtaFilesService {
  private readonly head: SnapshotCache<Head>;
  private readonly immutable = new Map<string, Buffer>();
  private cached?: { key: number; targets: Targets };

  constructor(
    private readonly repo: TufMetadataRepository,
    @Inject(PAYLOAD_STORE) private readonly payloads: PayloadStore,
    @Optional() @Inject(LOGGER) logger?: Logger,
  ) {
    this.head = new SnapshotCache({
      read: async () => {
        const heads = await this.repo.heads();
        const timestamp = heads.timestamp ? await this.repo.file('timestamp', heads.timestamp) : undefined;
        return { at: Date.now(), heads, timestamp };
      },
      ttlMs: OTA_HEAD_TTL_MS,
      what: 'the TUF metadata heads',
      logger,
    });
  }

  /** This node published: serve it at once. */
  invalidate(): void {
    this.head.invalidate();
  }

  async metadataFile(name: string): Promise<Buffer> {
    const n = nameOf(name);
    const head = n ? await this.head.get() : undefined;
    let bytes: Buffer | undefined;
    if (n && head) {
      if (n.role === 'timestamp' && n.version === null) bytes = head.timestamp;
      else {
        const version = n.version ?? head.heads[n.role];
        if (version !== undefined) bytes = await this.versioned(n.role, version);
      }
    }
    if (!bytes) throw hardenedOsError('tuf_metadata_not_found', `No metadata file ${name}.`);
    return bytes;
  }

  /**
   * A listed payload opened for reading, sized from the open handle (the caller streams it and closes the
   * handle): a file removed before the open is the same 404 as an unlisted one, and one removed after it is
   * still read whole.
   */
  async targetFile(model: string, version: string, hashed: string): Promise<OpenTarget> {
    const wanted = parseTargetPath(model, version, hashed);
    const listed = wanted ? (await this.targets())[wanted.name] : undefined;
    if (!wanted || listed?.hashes.sha256 !== wanted.sha256)
      throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    const opened = await this.payloads.openSized(wanted.sha256);
    if (!opened) throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    return opened;
  }

  private async versioned(role: TufRole, version: number): Promise<Buffer | undefined> {
    const key = `${role}:${version}`;
    const hit = this.immutable.get(key);
    if (hit) return hit;
    const bytes = await this.repo.file(role, version);
    if (bytes && role !== 'timestamp' && bytes.length <= IMMUTABLE_MAX_BYTES) {
      if (this.immutable.size >= IMMUTABLE_CACHE) this.immutable.delete(this.immutable.keys().next().value!);
      this.immutable.set(key, bytes);
    }
    return bytes;
  }

  /**
   * The targets list clients currently reach: the version the served snapshot names (timestamp → snapshot
   * → `N.targets.json`), cached until the timestamp version changes.
   */
  private async targets(): Promise<Targets> {
    const head = await this.head.get();
    const key = head.heads.timestamp;
    if (key === undefined || !head.timestamp) return {};
    if (this.cached?.key !== key) this.cached = { key, targets: await this.currentTargets(head.timestamp) };
    return this.cached.targets;
  }

  private async currentTargets(timestamp: Buffer): Promise<Targets> {
    const snapshotVersion = parseMetadata('timestamp', timestamp).signed.meta['snapshot.json'].version;
    const snapshot = await this.versioned('snapshot', snapshotVersion);
    if (!snapshot) return {};
    const targetsVersion = parseMetadata('snapshot', snapshot).signed.meta['targets.json']?.version;
    if (targetsVersion === undefined) return {};
    const targets = await this.versioned('targets', targetsVersion);
    return targets ? parseMetadata('targets', targets).signed.targets : {};
  }
}
