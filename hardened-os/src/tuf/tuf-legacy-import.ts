import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '@pakawaaz/platform';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { MetadataFolder } from './metadata-store.js';
import { parseMetadata } from './tuf-metadata.js';
import { nameOf, TufMetadataRepository, type MetadataRow } from './tuf-metadata.repository.js';
import { OtaFilesService } from './ota-files.service.js';

/**
 * The rows of an older release's metadata folder: every root, and the targets, snapshot and timestamp the
 * folder's timestamp.json leads to with their history. Anything newer (a publication that crashed half-way
 * on disk: its versioned files written, its timestamp not) was never served and is left out.
 */
export async function legacyRows(folder: MetadataFolder): Promise<MetadataRow[]> {
  const rows = new Map<string, MetadataRow>();
  for (const name of await folder.names()) {
    const n = nameOf(name)!;
    const bytes = (await folder.read(name))!;
    const e = parseMetadata(n.role, bytes);
    const key = `${n.role}:${e.signed.version}`;
    // The versioned file is what clients fetched by that version; its unversioned twin holds the same bytes.
    if (rows.has(key) && n.version === null) continue;
    rows.set(key, { role: n.role, version: e.signed.version, bytes, expires: new Date(e.signed.expires) });
  }
  const timestamp = [...rows.values()]
    .filter((r) => r.role === 'timestamp')
    .sort((a, b) => b.version - a.version)[0];
  if (!timestamp) return [...rows.values()].filter((r) => r.role === 'root');
  const snapshotVersion = parseMetadata('timestamp', timestamp.bytes).signed.meta['snapshot.json'].version;
  const snapshot = rows.get(`snapshot:${snapshotVersion}`);
  if (!snapshot)
    throw new Error(`${folder.dir}: timestamp.json names snapshot ${snapshotVersion}, which is missing`);
  const targetsVersion = parseMetadata('snapshot', snapshot.bytes).signed.meta['targets.json']?.version ?? 0;
  const upTo = {
    root: Infinity,
    targets: targetsVersion,
    snapshot: snapshotVersion,
    timestamp: timestamp.version,
  };
  return [...rows.values()].filter((r) =>
    r.role === 'timestamp' ? r === timestamp : r.version <= upTo[r.role],
  );
}

/**
 * At start-up, once: an installation that published from its data folder (before the metadata moved into
 * the database) keeps its history. The metadata is imported only into a database that has none yet (so
 * every node may run it, in any order: the first one imports, the rest find rows); compromised keys are
 * merged every time (marking is never undone). The folder itself is left as it was.
 */
@Injectable()
export class TufLegacyImport implements OnModuleInit {
  constructor(
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
    private readonly repo: TufMetadataRepository,
    private readonly files: OtaFilesService,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.run();
  }

  /** How many metadata rows were imported (0: nothing to import, or the database had metadata already). */
  async run(): Promise<number> {
    const folder = new MetadataFolder(this.config.tufDir);
    const names = await folder.names();
    const keyids = await folder.compromisedKeys();
    if (names.length === 0 && keyids.length === 0) return 0;
    const rows = await legacyRows(folder).catch((err: unknown) => {
      throw new Error(
        `cannot import the TUF metadata folder ${folder.dir} into the database (${err instanceof Error ? err.message : String(err)}); repair or move it away`,
      );
    });
    const imported = await this.repo.importRows(rows, keyids, 'system:tuf-folder-import');
    if (imported > 0) {
      this.files.invalidate();
      this.logger?.warn(
        { dir: folder.dir, files: imported },
        'TUF metadata imported from the data folder into the database; the folder is no longer read after this and may be archived',
      );
    }
    return imported;
  }
}
