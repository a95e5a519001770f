import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { KeyError } from './key-backend.js';
import { syncFolder } from '../files/stream-files.js';

/**
 * Key files: private (0600 in a 0700 folder), created atomically without ever replacing an existing key,
 * replaced atomically and durably. Their content is never quoted in a message.
 */

/** Reads a key file; undefined when it does not exist. Refuses a file that group or others may read. */
export async function readKeyFile(file: string, what: string): Promise<string | undefined> {
  let mode: number;
  try {
    const s = await stat(file);
    if (!s.isFile())
      throw new KeyError('key_unreadable', `Cannot read the ${what} ${file}: it is not a regular file.`);
    mode = s.mode & 0o777;
  } catch (err) {
    if (err instanceof KeyError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyError('key_unreadable', `Cannot read the ${what} ${file}: ${errnoText(err)}.`);
  }
  if ((mode & 0o077) !== 0)
    throw new KeyError(
      'key_permissions',
      `The ${what} ${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}). ` +
        `Run \`chmod 600 ${file}\` (and \`chmod 700 ${path.dirname(file)}\`), check who may have copied it, then start again.`,
    );
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new KeyError('key_unreadable', `Cannot read the ${what} ${file}: ${errnoText(err)}.`);
  }
}

/** An errno's code and syscall only: never a message that could carry content. */
function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}${e.syscall ? ` (${e.syscall})` : ''}` : 'unknown error';
}

/** JSON.parse whose failure never quotes the text (a SyntaxError message does: the key). */
export function parseKeyJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function writePrivateTemp(file: string, content: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return tmp;
}

/**
 * Creates a key file unless one exists: write and fsync a private temp file, hard-link it into place (link
 * never replaces), remove the temp. A reader never sees half a key, and when two nodes race on a shared folder
 * the first link wins. Returns false when another creator won (the caller reads the winner's key).
 */
export async function createKeyFile(file: string, content: string): Promise<boolean> {
  const tmp = await writePrivateTemp(file, content);
  try {
    await link(tmp, file);
    await syncFolder(path.dirname(file));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new KeyError('key_unreadable', `Cannot create the key file ${file}: ${errnoText(err)}.`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Atomically and durably replaces a key file: fsync'd temp file renamed over the old one, then the folder
 * fsync'd. A crash or power cut leaves the old or the new file, never half of one.
 */
export async function replaceKeyFile(file: string, content: string): Promise<void> {
  const tmp = await writePrivateTemp(file, content);
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new KeyError('key_unreadable', `Cannot replace the key file ${file}: ${errnoText(err)}.`);
  }
  await syncFolder(path.dirname(file));
}
