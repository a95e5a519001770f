import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TlsFile } from './network-ca.js';

/** Plain names only (`amf.key`, `ca.crt`, `hosts`): never a path that could leave the folder. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]*(\.(crt|key))?$/;

/**
 * Writes a TLS folder: private keys 0600, certificates and the hosts lines 0644, each through a temporary file
 * renamed into place (an NF starting meanwhile reads a whole old or new file). A folder we create is 0700.
 * Existing files of the same names are replaced; others are left alone.
 */
export async function writeTlsFiles(dir: string, files: readonly TlsFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const f of files) {
    if (!FILE_NAME.test(f.name)) throw new Error(`refusing to write "${f.name}": not a plain file name`);
    const mode = f.secret ? 0o600 : 0o644;
    const target = path.join(dir, f.name);
    const temporary = path.join(dir, `.${f.name}.pakawaaz-${process.pid}.tmp`);
    // Created 0600 first, whatever the umask: a key is never readable by others, not even for a moment.
    await writeFile(temporary, f.content, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, mode);
    await rename(temporary, target);
    written.push(f.name);
  }
  return written;
}
