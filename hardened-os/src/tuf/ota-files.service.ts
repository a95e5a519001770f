import { stat } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { PAYLOAD_STORE } from '../payloads/payloads.service.js';
import type { PayloadStore } from '../payloads/payload-store.js';
import { MetadataStore } from './metadata-store.js';
import { parseTargetPath } from './release-targets.js';
import { parseMetadata } from './tuf-metadata.js';

/**
 * What /ota/ serves: metadata files as published, and a payload when the published targets list it under
 * that name and hash. The parsed targets list is cached until timestamp.json changes on disk (a handset
 * download must not re-parse megabytes of metadata on the event loop each time).
 */
@Injectable()
export class OtaFilesService {
  private readonly store: MetadataStore;
  private cached?: { key: string; targets: Record<string, { hashes: { sha256: string } }> };

  constructor(
    @Inject(HARDENED_OS_CONFIG) config: HardenedOsConfig,
    @Inject(PAYLOAD_STORE) private readonly payloads: PayloadStore,
  ) {
    this.store = new MetadataStore(config.tufDir);
  }

  async metadataFile(name: string): Promise<Buffer> {
    const bytes = await this.store.read(name);
    if (!bytes) throw hardenedOsError('tuf_metadata_not_found', `No metadata file ${name}.`);
    return bytes;
  }

  async targetFile(model: string, version: string, hashed: string): Promise<{ file: string; size: number }> {
    const wanted = parseTargetPath(model, version, hashed);
    const listed = wanted ? (await this.targets())[wanted.name] : undefined;
    if (!wanted || listed?.hashes.sha256 !== wanted.sha256)
      throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    const file = this.payloads.fileOf(wanted.sha256);
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw hardenedOsError('tuf_metadata_not_found', 'No such target.');
    return { file, size };
  }

  /**
   * The targets list clients currently reach: the version the served snapshot names (timestamp → snapshot
   * → `N.targets.json`). The unversioned targets.json is written before the timestamp, so during a
   * publication (or after a crash mid-way) it may be newer than what clients verify against.
   */
  private async targets(): Promise<Record<string, { hashes: { sha256: string } }>> {
    const s = await stat(`${this.store.dir}/timestamp.json`).catch(() => undefined);
    if (!s) return {};
    const key = `${s.mtimeMs}:${s.size}:${s.ino}`;
    if (this.cached?.key !== key) this.cached = { key, targets: await this.currentTargets() };
    return this.cached.targets;
  }

  private async currentTargets(): Promise<Record<string, { hashes: { sha256: string } }>> {
    const timestamp = await this.store.read('timestamp.json');
    if (!timestamp) return {};
    const snapshotVersion = parseMetadata('timestamp', timestamp).signed.meta['snapshot.json'].version;
    const snapshot = await this.store.read(`${snapshotVersion}.snapshot.json`);
    if (!snapshot) return {};
    const targetsVersion = parseMetadata('snapshot', snapshot).signed.meta['targets.json']?.version;
    if (targetsVersion === undefined) return {};
    const targets = await this.store.read(`${targetsVersion}.targets.json`);
    return targets ? parseMetadata('targets', targets).signed.targets : {};
  }
}
