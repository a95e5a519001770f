import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  generateSigningKey,
  privateKeyPem,
  signCanonical,
  signingKeyFromPem,
  type TufPublicKey,
  type TufSigningKey,
} from './tuf-keys.js';
import { parseMetadata, serializeMetadata, signMetadata, tufDate, type Envelope } from './tuf-metadata.js';
import { publicKeySchema, ROLES, type TufRole } from './tuf-metadata.schema.js';
import { buildRoot, buildTargets, type RoleKeys, type TargetEntry } from './tuf-repository.js';

/**
 * The offline signing ceremony on files (an air-gapped machine: no server, no network). Private keys are
 * written 0600 next to a public file that may travel; nothing here prints a private key.
 */
export class CeremonyError extends Error {}

const MAX_FILE = 8 * 1024 * 1024;

const publicFileSchema = z.object({ role: z.enum(ROLES), keyid: z.string(), key: publicKeySchema });
const keyFileSchema = publicFileSchema.extend({ privateKeyPem: z.string().max(4096) });
export type PublicKeyFile = { role: TufRole; keyid: string; key: TufPublicKey };

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CeremonyError(`cannot read ${what} ${file}`);
  });
  if (text.length > MAX_FILE) throw new CeremonyError(`${what} ${file} is too large`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CeremonyError(`${what} ${file} is not JSON`);
  }
}

/** A new Ed25519 key for `role`: `<role>-<keyid 12>.key.json` (0600, private) and `.pub.json`. */
export async function keygen(
  role: TufRole,
  outDir: string,
  label = '',
): Promise<{ keyid: string; privateFile: string; publicFile: string }> {
  const key = generateSigningKey();
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const stem = path.join(outDir, `${label}${role}-${key.keyid.slice(0, 12)}`);
  const pub: PublicKeyFile = { role, keyid: key.keyid, key: key.public };
  const privateFile = `${stem}.key.json`;
  await writeFile(
    privateFile,
    `${JSON.stringify({ ...pub, privateKeyPem: privateKeyPem(key) }, null, 1)}\n`,
    {
      mode: 0o600,
      flag: 'wx',
    },
  );
  await chmod(privateFile, 0o600);
  const publicFile = `${stem}.pub.json`;
  await writeFile(publicFile, `${JSON.stringify(pub, null, 1)}\n`, { flag: 'wx' });
  return { keyid: key.keyid, privateFile, publicFile };
}

export async function readPublicKey(file: string): Promise<PublicKeyFile> {
  const parsed = publicFileSchema.safeParse(await readJson(file, 'public key file'));
  if (!parsed.success) throw new CeremonyError(`${file} is not a TUF public key file`);
  return parsed.data as PublicKeyFile;
}

export async function readSigningKey(file: string): Promise<TufSigningKey & { role: TufRole }> {
  const parsed = keyFileSchema.safeParse(await readJson(file, 'key file'));
  if (!parsed.success) throw new CeremonyError(`${file} is not a TUF private key file`);
  const key = signingKeyFromPem(parsed.data.privateKeyPem);
  if (key.keyid !== parsed.data.keyid) throw new CeremonyError(`${file}: the keyid does not match the key`);
  return { ...key, role: parsed.data.role };
}

export async function readMetadata<R extends TufRole>(role: R, file: string): Promise<Envelope<R>> {
  const bytes = await readFile(file).catch(() => {
    throw new CeremonyError(`cannot read ${file}`);
  });
  try {
    return parseMetadata(role, bytes);
  } catch (err) {
    throw new CeremonyError(`${file}: ${(err as Error).message}`);
  }
}

export async function writeMetadata(file: string, envelope: Envelope<TufRole>): Promise<void> {
  await writeFile(file, serializeMetadata(envelope), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new CeremonyError(
      err.code === 'EEXIST' ? `${file} exists already; choose another --out` : err.message,
    );
  });
}

const expiresAfter = (days: number, now: Date) => tufDate(new Date(now.getTime() + days * 86_400_000));

/** Root keys, thresholds and the server's online keys (from `pakawaaz os tuf online-keys`) → unsigned root. */
export function newRoot(input: {
  version: number;
  expiresDays: number;
  now: Date;
  roles: RoleKeys;
}): Envelope<'root'> {
  return {
    signatures: [],
    signed: buildRoot({
      version: input.version,
      expires: expiresAfter(input.expiresDays, input.now),
      roles: input.roles,
    }),
  };
}

/** The next root: the current one's roles with the given replacements, version + 1. */
export function nextRoot(
  current: Envelope<'root'>,
  changes: Partial<RoleKeys>,
  expiresDays: number,
  now: Date,
): Envelope<'root'> {
  const roles = {} as RoleKeys;
  for (const role of ROLES) {
    const kept = current.signed.roles[role];
    roles[role] = changes[role] ?? {
      keys: kept.keyids.map((id) => {
        const k = current.signed.keys[id];
        if (!k)
          throw new CeremonyError(`the current root lists key ${id} for ${role} but not the key itself`);
        return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: k.keyval.public } } as const;
      }),
      threshold: kept.threshold,
    };
  }
  return newRoot({ version: current.signed.version + 1, expiresDays, now, roles });
}

/**
 * Adds signatures to metadata (each root key holder in turn, or the targets key). A key the root does not
 * list for the role is refused (a retired key signs nothing); for a new root, its own or the previous
 * root's root keys may sign.
 */
export function addSignatures<R extends TufRole>(
  envelope: Envelope<R>,
  role: R,
  keys: TufSigningKey[],
  trustedRoots: Envelope<'root'>[],
): Envelope<R> {
  const allowed = new Set(trustedRoots.flatMap((r) => r.signed.roles[role].keyids));
  const signatures = [...envelope.signatures];
  for (const key of keys) {
    if (!allowed.has(key.keyid))
      throw new CeremonyError(
        `key ${key.keyid} is not a ${role} key of the root (retired, or never added): refused`,
      );
    if (signatures.some((s) => s.keyid === key.keyid)) continue;
    signatures.push(signCanonical(envelope.signed, key));
  }
  return { signatures, signed: envelope.signed };
}

const exportSchema = z.object({
  targets: z
    .array(
      z.object({
        name: z.string().max(1024),
        length: z.number().int().min(0),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        custom: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .max(20_000),
  currentVersion: z.number().int().min(0),
});

/** Targets metadata from the server's export file, signed by the targets key(s), version = current + 1. */
export async function signTargetsFromExport(input: {
  exportFile: string;
  root: Envelope<'root'>;
  keys: TufSigningKey[];
  expiresDays: number;
  now: Date;
  version?: number;
}): Promise<Envelope<'targets'>> {
  const parsed = exportSchema.safeParse(await readJson(input.exportFile, 'targets export'));
  if (!parsed.success)
    throw new CeremonyError(`${input.exportFile} is not a targets export (pakawaaz os tuf export-targets)`);
  const targets: TargetEntry[] = parsed.data.targets;
  let signed;
  try {
    signed = buildTargets({
      version: input.version ?? parsed.data.currentVersion + 1,
      expires: expiresAfter(input.expiresDays, input.now),
      targets,
    });
  } catch (err) {
    throw new CeremonyError((err as Error).message);
  }
  return addSignatures<'targets'>(signMetadata<'targets'>(signed, []), 'targets', input.keys, [input.root]);
}
