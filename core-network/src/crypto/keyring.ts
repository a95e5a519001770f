import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/**
 * The key-encryption keys (KEK) file, PAKAWAAZ_KEK_FILE: JSON, mode 0600, kept outside the database.
 * `keys` holds every KEK that may still wrap a data key (the active one and, during a rotation, the old one);
 * `macKey` is a separate secret for SIM fingerprints that survives KEK rotations.
 */
const KeyringFile = z
  .object({
    version: z.literal(1),
    active: z.string().regex(/^kek-[a-z0-9-]{4,64}$/),
    keys: z.record(z.string(), z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a 32-byte base64 key')),
    macKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  })
  .strict()
  .refine((f) => f.active in f.keys, { message: 'the active KEK is not in keys' });
type KeyringFile = z.infer<typeof KeyringFile>;

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export type Keyring = {
  readonly file: string;
  readonly activeId: string;
  readonly macKey: Buffer;
  key(id: string): Buffer | undefined;
  ids(): string[];
};

const newKekId = (now: Date) => `kek-${now.toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;

function toKeyring(file: string, f: KeyringFile): Keyring {
  const keys = new Map(Object.entries(f.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
  return {
    file,
    activeId: f.active,
    macKey: Buffer.from(f.macKey, 'base64'),
    key: (id) => keys.get(id),
    ids: () => [...keys.keys()],
  };
}

export async function readKeyring(file: string): Promise<Keyring | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyringError(`Cannot read the KEK file ${file}: ${(err as Error).message}`);
  }
  const parsed = KeyringFile.safeParse(safeJson(text));
  if (!parsed.success)
    throw new KeyringError(
      `The KEK file ${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return toKeyring(file, parsed.data);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Creates a new KEK file (never overwrites: hard-link from a private temp file, like the token key). */
export async function createKeyring(file: string, now = new Date()): Promise<Keyring> {
  const id = newKekId(now);
  const content: KeyringFile = {
    version: 1,
    active: id,
    keys: { [id]: randomBytes(32).toString('base64') },
    macKey: randomBytes(32).toString('base64'),
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(content, null, 2), { mode: 0o600, flag: 'wx' });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  const ring = await readKeyring(file);
  if (!ring) throw new KeyringError(`KEK file ${file} vanished while being created`);
  return ring;
}

/**
 * Atomically and durably replaces the file's content: write and fsync a temp file, rename it over the old one,
 * fsync the folder. A crash or power cut leaves the old or the new file, never half of one — and never a
 * database that committed re-wrapped keys while the file on disk still lacks the new KEK.
 */
async function replaceKeyringFile(file: string, content: KeyringFile): Promise<Keyring> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(content, null, 2));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return toKeyring(file, content);
}

/** Rotation step 1: add a new KEK and make it active; the old one stays until every data key is re-wrapped. */
export async function addActiveKek(ring: Keyring, now = new Date()): Promise<Keyring> {
  const keys = Object.fromEntries(ring.ids().map((id) => [id, ring.key(id)!.toString('base64')]));
  const id = newKekId(now);
  keys[id] = randomBytes(32).toString('base64');
  return replaceKeyringFile(ring.file, {
    version: 1,
    active: id,
    keys,
    macKey: ring.macKey.toString('base64'),
  });
}

/** Rotation step 3: drop every KEK but the active one (after step 2 re-wrapped all data keys). */
export async function dropInactiveKeks(ring: Keyring): Promise<Keyring> {
  const active = ring.key(ring.activeId)!.toString('base64');
  return replaceKeyringFile(ring.file, {
    version: 1,
    active: ring.activeId,
    keys: { [ring.activeId]: active },
    macKey: ring.macKey.toString('base64'),
  });
}
