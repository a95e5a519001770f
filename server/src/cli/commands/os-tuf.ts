import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext } from '../context.js';
import { positiveInt } from '../context.js';
import { offline, registerSignCommands } from './os-sign.js';

type Ceremony = typeof import('@pakawaaz/hardened-os/tuf');
type RoleKeysOf = import('@pakawaaz/hardened-os/tuf').RoleKeys;
type TufRole = import('@pakawaaz/hardened-os/tuf').TufRole;

const collect = (v: string, prev: string[] = []) => [...prev, v];
const ROLE_NAMES = ['root', 'targets', 'snapshot', 'timestamp'];

async function readJsonFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`Cannot read ${file}`, 2);
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not JSON`, 2);
  }
}

/** The server's online keys as `pakawaaz os tuf online-keys --out` saved them. */
async function onlineRoles(file: string): Promise<Pick<RoleKeysOf, 'snapshot' | 'timestamp'>> {
  const o = (await readJsonFile(file)) as Partial<Schemas['TufOnlineKeys']>;
  if (!o.timestamp?.key || !o.snapshot?.key) throw new CliError(`${file} is not an online-keys file`, 2);
  const key = (k: { key: { keyval: { public: string } } }) =>
    ({ keytype: 'ed25519', scheme: 'ed25519', keyval: { public: k.key.keyval.public } }) as const;
  return {
    timestamp: { keys: [key(o.timestamp)], threshold: 1 },
    snapshot: { keys: [key(o.snapshot)], threshold: 1 },
  };
}

async function publicKeys(c: Ceremony, files: string[], role: TufRole) {
  const keys = await Promise.all(files.map((f) => c.readPublicKey(f)));
  const wrong = keys.find((k) => k.role !== role);
  if (wrong) throw new CliError(`${wrong.keyid} is a ${wrong.role} key, not a ${role} key`, 1);
  return keys.map((k) => k.key);
}

type RootFlags = {
  rootKey?: string[];
  rootThreshold?: number;
  targetsKey?: string[];
  targetsThreshold?: number;
  onlineKeys?: string;
  expiresDays: number;
  sign?: string[];
  out: string;
};

/** The offline signing ceremony: no server, no network, files only (run it on the air-gapped machine). */
function registerOffline(tuf: Command, ctx: CliContext) {
  tuf
    .command('keygen')
    .description('OFFLINE: a new Ed25519 key: <role>-<keyid>.key.json (0600, keep offline) and .pub.json')
    .requiredOption('--role <role>', ROLE_NAMES.join('|'))
    .requiredOption('--out <dir>', 'folder for the key files (a removable medium in the signing room)')
    .action(async (o: { role: string; out: string }) => {
      if (!ROLE_NAMES.includes(o.role))
        throw new CliError(`--role must be one of ${ROLE_NAMES.join(', ')}`, 2);
      const k = await offline((c) => c.keygen(o.role as TufRole, o.out));
      ctx.io.stdout(`${o.role} key ${k.keyid}\n  private: ${k.privateFile}\n  public:  ${k.publicFile}\n`);
    });

  const rootOptions = (cmd: Command) =>
    cmd
      .option('--root-key <pub.json>', 'a root public key file; repeat', collect)
      .option('--root-threshold <n>', 'root signatures required', positiveInt)
      .option('--targets-key <pub.json>', 'a targets public key file; repeat', collect)
      .option('--targets-threshold <n>', 'targets signatures required', positiveInt)
      .option('--online-keys <file>', 'the server keys, from `pakawaaz os tuf online-keys --out`')
      .option('--expires-days <n>', 'root lifetime in days', positiveInt, 365)
      .option('--sign <key.json>', 'sign with this root private key file now; repeat', collect)
      .requiredOption('--out <file>', 'where to write the root metadata (N.root.json)');

  rootOptions(tuf.command('init-root'))
    .description('OFFLINE: root version 1 (root and targets keys with thresholds, the server online keys)')
    .action(async (o: RootFlags) => {
      if (!o.rootKey?.length || !o.targetsKey?.length || !o.onlineKeys)
        throw new CliError('init-root needs --root-key, --targets-key and --online-keys', 2);
      await offline(async (c) => {
        const roles: RoleKeysOf = {
          root: { keys: await publicKeys(c, o.rootKey!, 'root'), threshold: o.rootThreshold ?? 1 },
          targets: {
            keys: await publicKeys(c, o.targetsKey!, 'targets'),
            threshold: o.targetsThreshold ?? 1,
          },
          ...(await onlineRoles(o.onlineKeys!)),
        };
        let root = c.newRoot({ version: 1, expiresDays: o.expiresDays, now: new Date(), roles });
        const signers = await Promise.all((o.sign ?? []).map((f) => c.readSigningKey(f)));
        root = c.addSignatures(root, 'root', signers, [root]);
        await c.writeMetadata(o.out, root);
        ctx.io.stdout(
          `wrote root version 1 to ${o.out}: ${root.signatures.length} of ${roles.root.threshold} root signature(s)\n`,
        );
      });
    });

  rootOptions(tuf.command('rotate-root'))
    .description('OFFLINE: root version N+1 from the current one; old AND new root keys must sign it')
    .requiredOption('--current <root.json>', 'the root now trusted (N.root.json)')
    .action(async (o: RootFlags & { current: string }) => {
      await offline(async (c) => {
        const current = await c.readMetadata('root', o.current);
        const changes: Partial<RoleKeysOf> = {};
        if (o.rootKey?.length)
          changes.root = { keys: await publicKeys(c, o.rootKey, 'root'), threshold: o.rootThreshold ?? 1 };
        if (o.targetsKey?.length)
          changes.targets = {
            keys: await publicKeys(c, o.targetsKey, 'targets'),
            threshold: o.targetsThreshold ?? 1,
          };
        if (o.onlineKeys) Object.assign(changes, await onlineRoles(o.onlineKeys));
        let next = c.nextRoot(current, changes, o.expiresDays, new Date());
        const signers = await Promise.all((o.sign ?? []).map((f) => c.readSigningKey(f)));
        next = c.addSignatures(next, 'root', signers, [current, next]);
        await c.writeMetadata(o.out, next);
        ctx.io.stdout(
          `wrote root version ${next.signed.version} to ${o.out}; sign it with a threshold of the old AND the new root keys\n`,
        );
      });
    });

  registerSignCommands(tuf, ctx);
}

/** The server side of the ceremony: what goes into the signing room and what comes back. */
function registerOnline(tuf: Command, ctx: CliContext) {
  tuf
    .command('online-keys')
    .description("the server's timestamp and snapshot public keys (for init-root / rotate-root)")
    .option('--out <file>', 'write them to a file for the signing room')
    .action(async (o: { out?: string }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/os/tuf/online-keys'));
      if (!o.out) return ctx.io.stdout(`${JSON.stringify(r, null, 1)}\n`);
      await writeFile(o.out, `${JSON.stringify(r, null, 1)}\n`);
      ctx.io.stdout(`timestamp ${r.timestamp.keyid}\nsnapshot  ${r.snapshot.keyid}\nwrote ${o.out}\n`);
    });
  tuf
    .command('export-targets')
    .description('every stored OTA payload as a TUF target, for `sign-targets` in the signing room')
    .requiredOption('--out <file>', 'the export file')
    .action(async (o: { out: string }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/os/tuf/targets-export'));
      await writeFile(o.out, `${JSON.stringify(r, null, 1)}\n`);
      ctx.io.stdout(
        `${r.targets.length} target(s), published targets version ${r.currentVersion}: ${o.out}\n`,
      );
    });
  for (const role of ['root', 'targets'] as const)
    tuf
      .command(`import-${role} <file>`)
      .description(`upload signed ${role} metadata (os-admin); the server verifies it and publishes`)
      .option('--json', 'print JSON')
      .action(async (file: string, o: { json?: boolean }) => {
        const body = (await readJsonFile(file)) as Schemas['TufMetadata'];
        const r = await unwrap(ctx.api().PUT(`/api/v1/os/tuf/${role}`, { body }));
        ctx.print(r, !!o.json, () => `published ${role} version ${r.version}\n`);
      });
  tuf
    .command('status')
    .description('versions and expiry of the published metadata')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/os/tuf/status'));
      const line = (n: string, v: { version: number; expires: string } | null) =>
        `${n.padEnd(10)} ${v ? `version ${v.version}  expires ${v.expires}` : 'not published'}\n`;
      ctx.print(r, !!o.json, () =>
        [
          line('root', r.root),
          line('targets', r.targets),
          line('snapshot', r.snapshot),
          line('timestamp', r.timestamp),
          r.demoRoot
            ? 'root is DEMO-ONLY: its keys are files on disk; never ship handsets trusting it\n'
            : '',
        ].join(''),
      );
    });
  tuf
    .command('compromise <keyid>')
    .description(
      'mark a TUF key compromised: the server never signs with it and stops counting its signatures',
    )
    .action(async (keyid: string) => {
      const r = await unwrap(
        ctx.api().POST('/api/v1/os/tuf/keys/{keyid}/compromised', { params: { path: { keyid } } }),
      );
      ctx.io.stdout(`${r.compromisedKeys.length} key(s) marked compromised\n`);
    });
}

/** `pakawaaz os tuf …`: signed update metadata (TUF 1.0). */
export function registerTuf(os: Command, ctx: CliContext) {
  const tuf = os
    .command('tuf')
    .description('signed update metadata (TUF): offline ceremony on files, and the server repository');
  registerOffline(tuf, ctx);
  registerOnline(tuf, ctx);
}
