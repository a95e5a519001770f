import { readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError } from '../api-client.js';
import type { CliContext } from '../context.js';
import { positiveInt } from '../context.js';

/**
 * Signing root and targets metadata in the offline ceremony (no server, no network, files only): the code
 * behind `pakawaaz os tuf sign-root`, `os tuf sign-targets` and `pakawaaz os sign FILE`, which picks the
 * role from the file's `signed._type`.
 */
type Ceremony = typeof import('@pakawaaz/hardened-os/tuf');
type Envelope<R extends 'root' | 'targets'> = import('@pakawaaz/hardened-os/tuf').Envelope<R>;

const collect = (v: string, prev: string[] = []) => [...prev, v];
/** Root and targets files are small; anything bigger is not what the signer meant to sign. */
const MAX_METADATA = 8 * 1024 * 1024;

/** Runs an offline step; the ceremony's refusals become exit 1 with their message, never a stack. */
export async function offline<T>(fn: (c: Ceremony) => Promise<T>): Promise<T> {
  const c = await import('@pakawaaz/hardened-os/tuf');
  try {
    return await fn(c);
  } catch (err) {
    if (err instanceof c.CeremonyError || err instanceof c.TufMetadataError)
      throw new CliError(err.message, 1);
    throw err;
  }
}

/** Asks on a terminal; anywhere else the signer must have said --yes. */
async function confirm(question: string, io: CliContext['io']): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CliError('Not signed: not on a terminal, so nobody confirmed. Give --yes to sign.', 2);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question).finally(() => rl.close());
  if (!/^y(es)?$/i.test(answer.trim())) {
    io.stderr('not signed\n');
    throw new CliError('', 1);
  }
}

export type SignRootFlags = { key: string[]; previous?: string; out: string };

/** Adds root signatures to a root file (each key holder in turn); a rotation may be signed by the previous root's keys. */
export async function signRoot(ctx: CliContext, file: string, o: SignRootFlags): Promise<void> {
  await offline(async (c) => {
    const root = await c.readMetadata('root', file);
    const trusted = o.previous ? [await c.readMetadata('root', o.previous), root] : [root];
    const signers = await Promise.all(o.key.map((f) => c.readSigningKey(f)));
    const signed = c.addSignatures(root, 'root', signers, trusted);
    await c.writeMetadata(o.out, signed);
    ctx.io.stdout(
      `${signed.signatures.length} signature(s) on root version ${signed.signed.version}: ${o.out}\n`,
    );
  });
}

export type SignTargetsFlags = { root: string; key: string[]; current?: string; yes?: boolean; out: string };
/** New targets from the server's export, or a targets file another targets key holder signed already. */
export type TargetsSource = { export: string; expiresDays: number; version?: number } | { file: string };

/**
 * Signs targets with the targets key(s) the root lists, after showing the signer every target (and the
 * difference to --current): the export comes from the server, which the signing room does not trust.
 */
export async function signTargets(
  ctx: CliContext,
  source: TargetsSource,
  o: SignTargetsFlags,
): Promise<void> {
  await offline(async (c) => {
    const root = await c.readMetadata('root', o.root);
    const keys = await Promise.all(o.key.map((f) => c.readSigningKey(f)));
    const current = o.current
      ? c.verifiedCurrent(await c.readMetadata('targets', o.current), root)
      : undefined;
    const signed: Envelope<'targets'> =
      'file' in source
        ? c.addSignatures(await c.readMetadata('targets', source.file), 'targets', keys, [root])
        : await c.signTargetsFromExport({
            exportFile: source.export,
            root,
            keys,
            expiresDays: source.expiresDays,
            now: new Date(),
            ...(source.version ? { version: source.version } : {}),
          });
    ctx.io.stdout(c.reviewTargets(signed, current).text);
    if (!o.yes) await confirm(`Sign these targets as version ${signed.signed.version}? [y/N] `, ctx.io);
    await c.writeMetadata(o.out, signed);
    const n = Object.keys(signed.signed.targets).length;
    ctx.io.stdout(`wrote targets version ${signed.signed.version} (${n} target(s)) to ${o.out}\n`);
  });
}

/** The role a metadata file declares (`signed._type`), read with a size limit; never trusted beyond that. */
export async function metadataRole(file: string): Promise<string> {
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new CliError(`Cannot read ${file}`, 2);
    },
  );
  if (size > MAX_METADATA) throw new CliError(`${file} is larger than 8 MiB: not TUF metadata`, 2);
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new CliError(`${file} is not JSON`, 2);
  }
  const type = (doc as { signed?: { _type?: unknown } } | null)?.signed?._type;
  if (typeof type !== 'string')
    throw new CliError(`${file} is not TUF metadata (no signed._type): give a root or targets file`, 2);
  return type;
}

/** `sign-root <file>` and `sign-targets` under `pakawaaz os tuf`. */
export function registerSignCommands(tuf: Command, ctx: CliContext) {
  tuf
    .command('sign-root <file>')
    .description('OFFLINE: add root signatures to a root file (each key holder in turn); writes --out')
    .requiredOption('--key <key.json>', 'a root private key file; repeat', collect)
    .option('--previous <root.json>', 'the root it replaces (its root keys may sign a rotation)')
    .requiredOption('--out <file>', 'the signed root')
    .action((file: string, o: SignRootFlags) => signRoot(ctx, file, o));

  tuf
    .command('sign-targets')
    .description('OFFLINE: targets metadata from a targets export, signed with the targets key(s)')
    .requiredOption('--export <file>', 'from `pakawaaz os tuf export-targets --out`')
    .requiredOption('--root <root.json>', 'the current root (which keys may sign targets)')
    .requiredOption('--key <key.json>', 'a targets private key file; repeat', collect)
    .option('--expires-days <n>', 'targets lifetime in days', positiveInt, 90)
    .option('--version <n>', 'targets version (default: the published one + 1)', positiveInt)
    .option('--current <targets.json>', 'the targets signed now (targets.json from the server), for the diff')
    .option('--yes', 'sign without asking (after reading the review printed)')
    .requiredOption('--out <file>', 'the signed targets (N.targets.json)')
    .action((o: SignTargetsFlags & { export: string; expiresDays: number; version?: number }) =>
      signTargets(ctx, { export: o.export, expiresDays: o.expiresDays, version: o.version }, o),
    );
}

type OsSignFlags = {
  key: string[];
  out: string;
  previous?: string;
  root?: string;
  current?: string;
  yes?: boolean;
};
const TARGETS_ONLY = ['root', 'current', 'yes'] as const;

/**
 * `pakawaaz os sign FILE --key KEY… --out OUT`: signs root or targets metadata as `os tuf sign-root` or
 * `os tuf sign-targets` would (same code), the role read from the file. Snapshot and timestamp are the
 * server's to sign (online keys): refused.
 */
export function registerOsSign(os: Command, ctx: CliContext) {
  os.command('sign <file>')
    .description('OFFLINE: sign root or targets metadata on the air-gapped machine (role from the file)')
    .requiredOption('--key <key.json>', 'a private key file of the file’s role; repeat', collect)
    .requiredOption('--out <file>', 'where to write the signed metadata (never overwritten)')
    .option('--previous <root.json>', 'root only: the root it replaces (its root keys may sign a rotation)')
    .option('--root <root.json>', 'targets only: the current root (which keys may sign targets)')
    .option('--current <targets.json>', 'targets only: the targets signed now, for the diff shown')
    .option('--yes', 'targets only: sign without asking (after reading the review printed)')
    .action(async (file: string, o: OsSignFlags) => {
      const role = await metadataRole(file);
      if (role === 'root') {
        const extra = TARGETS_ONLY.filter((k) => o[k] !== undefined);
        if (extra.length)
          throw new CliError(
            `${file} is root metadata: --${extra.join(', --')} ${extra.length === 1 ? 'is' : 'are'} for targets only`,
            2,
          );
        return signRoot(ctx, file, o);
      }
      if (role === 'targets') {
        if (o.previous !== undefined)
          throw new CliError(`${file} is targets metadata: --previous applies to root only`, 2);
        if (!o.root) throw new CliError(`signing targets needs --root <root.json> (which keys may sign)`, 2);
        return signTargets(ctx, { file }, { ...o, root: o.root });
      }
      if (role === 'snapshot' || role === 'timestamp')
        throw new CliError(
          `${file} is ${role} metadata: the server signs ${role} with its online key; \`os sign\` signs root and targets only`,
          2,
        );
      throw new CliError(
        `${file} declares _type ${JSON.stringify(role.slice(0, 40))}: not root or targets`,
        2,
      );
    });
}
