import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Names the repository serves under /ota/metadata/: `root.json`, `N.root.json`, `timestamp.json`, … */
// At most 15 digits: every version stays an exact integer in JavaScript (below 2^53).
export const METADATA_NAME = /^(?:[1-9][0-9]{0,14}\.)?(root|targets|snapshot|timestamp)\.json$/;

/**
 * A metadata folder as earlier releases published it on disk (PAKAWAAZ_OS_TUF_DIR): read once at start-up
 * and imported into the database (tuf-legacy-import.ts). Read only; nothing writes it any more.
 */
export class MetadataFolder {
  constructor(readonly dir: string) {}

  /** The metadata file names present (an absent folder has none). */
  async names(): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names.filter((n) => METADATA_NAME.test(n)).sort();
  }

  async read(name: string): Promise<Buffer | undefined> {
    if (!METADATA_NAME.test(name)) return undefined;
    return readFile(path.join(this.dir, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }

  /** key-status.json's compromised key ids (none when absent). */
  async compromisedKeys(): Promise<string[]> {
    const text = await readFile(path.join(this.dir, 'key-status.json'), 'utf8').catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      },
    );
    if (text === undefined) return [];
    const parsed = (JSON.parse(text) as { compromised?: unknown }).compromised;
    // A damaged file must not quietly un-compromise keys: the import (and the start-up) stops until someone looks.
    if (
      !Array.isArray(parsed) ||
      parsed.length > 10_000 ||
      !parsed.every((k) => typeof k === 'string' && /^[0-9a-f]{64}$/.test(k))
    )
      throw new Error(`${path.join(this.dir, 'key-status.json')} is damaged; restore it before starting`);
    return parsed as string[];
  }
}
