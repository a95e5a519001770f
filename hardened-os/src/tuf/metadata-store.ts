import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Names the repository serves under /ota/metadata/: `root.json`, `N.root.json`, `timestamp.json`, … */
export const METADATA_NAME = /^(?:[1-9][0-9]{0,15}\.)?(root|targets|snapshot|timestamp)\.json$/;

/**
 * The published metadata folder. Every file is written new-then-renamed with fsync of the file and the
 * folder, so a crash mid-publish leaves each name holding either its previous bytes or its new ones, never a
 * torn file. `publish` writes the versioned files first and timestamp.json last: until the new timestamp is
 * in place, clients keep seeing the previous, complete and still valid publication.
 */
export class MetadataStore {
  constructor(readonly dir: string) {}

  async read(name: string): Promise<Buffer | undefined> {
    if (!METADATA_NAME.test(name)) return undefined;
    return readFile(path.join(this.dir, name)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }

  async publish(files: Map<string, Buffer>): Promise<void> {
    const order = [...files.keys()].sort((a, b) => rank(a) - rank(b));
    for (const name of order) await this.write(name, files.get(name)!);
  }

  async write(name: string, bytes: Buffer): Promise<void> {
    if (!METADATA_NAME.test(name)) throw new Error(`not a metadata file name: ${name}`);
    await writeFileAtomic(path.join(this.dir, name), bytes);
  }

  /**
   * Temporary files a crash left behind (never served: they do not match METADATA_NAME). Only old ones:
   * this runs at start-up outside the publish lock, and on a folder shared by several nodes a young temp
   * file is another node's write in flight.
   */
  async removeTemps(now = new Date(), minAgeMs = TEMP_MIN_AGE_MS): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    let removed = 0;
    for (const n of names.filter((name) => name.startsWith(TEMP_PREFIX))) {
      const file = path.join(this.dir, n);
      const s = await stat(file).catch(() => undefined);
      if (!s || now.getTime() - s.mtimeMs < minAgeMs) continue;
      await rm(file, { force: true });
      removed++;
    }
    return removed;
  }
}

const TEMP_PREFIX = '.new-';
/** A write takes milliseconds; an hour-old temp file is certainly a crash's leftover. */
const TEMP_MIN_AGE_MS = 3_600_000;

/** Writes `file` new-then-rename with fsync of the file and its folder (durable and never torn). */
export async function writeFileAtomic(file: string, bytes: Buffer, mode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const temp = path.join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  try {
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  // The rename itself is durable only once the folder is synced.
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

// Versioned files, then unversioned targets and snapshot, then root, then the timestamp that points at them.
function rank(name: string): number {
  if (name === 'timestamp.json') return 3;
  if (/^\d/.test(name)) return 0;
  return name === 'root.json' ? 2 : 1;
}
