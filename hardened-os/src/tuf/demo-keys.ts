import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { keygen, readSigningKey } from './ceremony.js';
import type { TufSigningKey } from './tuf-keys.js';

/**
 * The embedded demo's root and targets keys: files in the data folder, every name starting DEMO-ONLY. Keys
 * on the same disk as the server defeat the point of offline keys — for the demo and tests only.
 */
export const DEMO_KEY_DIR = 'tuf-keys-DEMO-ONLY';
const PREFIX = 'DEMO-ONLY-';
/**
 * A field TUF clients carry along unread, inside `signed` (so it cannot be stripped without re-signing): the
 * server refuses such a root outside the demo unless told otherwise, and says so in its status.
 */
export const DEMO_ROOT_FIELD = 'x-pakawaaz-demo-only';

export const isDemoRoot = (root: { signed: object }): boolean =>
  (root.signed as Record<string, unknown>)[DEMO_ROOT_FIELD] === true;

export async function demoKeys(
  dataDir: string,
): Promise<{ root: TufSigningKey; targets: TufSigningKey; dir: string }> {
  const dir = path.join(dataDir, DEMO_KEY_DIR);
  const find = async (role: 'root' | 'targets') => {
    const names = await readdir(dir).catch(() => [] as string[]);
    const name = names.find((n) => n.startsWith(`${PREFIX}${role}-`) && n.endsWith('.key.json'));
    const file = name ? path.join(dir, name) : (await keygen(role, dir, PREFIX)).privateFile;
    return readSigningKey(file);
  };
  return { root: await find('root'), targets: await find('targets'), dir };
}
