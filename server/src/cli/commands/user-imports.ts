import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { followJob } from '../job-progress.js';
import { positiveInt, type CliContext, type RegisterCommands } from '../context.js';

type ImportJob = Schemas['UserImportJob'];

const follow = (ctx: CliContext, id: string, tty: boolean): Promise<ImportJob> =>
  followJob(ctx, () => unwrap(ctx.api().GET('/api/v1/user-imports/{id}', { params: { path: { id } } })), tty);

function summary(job: ImportJob, maxErrors: number, codesFile: string | null): string {
  const would = job.dryRun ? 'would be ' : '';
  const lines = [
    `${job.dryRun ? 'dry run' : 'import'} ${job.id}: ${job.status}${job.failure ? ` (${job.failure})` : ''}`,
    `  ${would}created ${job.created}, ${would}updated ${job.updated}, unchanged ${job.unchanged}, invalid ${job.invalid}${job.disabled ? `, ${would}disabled ${job.disabled} (left the directory)` : ''}, of ${job.totalRows} rows`,
  ];
  if (job.imsis > 0)
    lines.push(
      `  ${job.imsis} rows name a SIM: assign them with \`pakawaaz subscribers assign\` (a SIM operator; see the codes file's imsi column)`,
    );
  for (const e of job.errors.slice(0, maxErrors))
    lines.push(`  line ${e.line}${e.username ? ` (${e.username})` : ''}: ${e.reason}`);
  if (job.errors.length > maxErrors) lines.push(`  … and ${job.errors.length - maxErrors} more (see --json)`);
  if (codesFile)
    lines.push(
      `  enrolment codes written to ${codesFile} (mode 600; hand each official theirs, then delete the file)`,
    );
  return `${lines.join('\n')}\n`;
}

/** `pakawaaz users import FILE`: bulk onboarding of officials with progress; codes to a private file. */
function addImport(users: Command, ctx: CliContext): void {
  users
    .command('import <file>')
    .description(
      'onboard officials from CSV (username,name,designation,institution,email,phone[,imsi]) with progress; exit 1 if any row was refused',
    )
    .option('--dry-run', 'report what would be created or updated, change nothing')
    .option(
      '--codes <file>',
      'where to write the one-time enrolment codes (default: FILE.codes.csv; never overwritten)',
    )
    .option('--json', 'print the final job as JSON')
    .option('--max-errors <n>', 'row errors to print', positiveInt, 20)
    .action(
      async (file: string, o: { dryRun?: boolean; codes?: string; json?: boolean; maxErrors: number }) => {
        const csv = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new CliError(
            `Cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
            2,
          );
        });
        const codesFile = o.codes ?? `${file.replace(/\.csv$/i, '')}.codes.csv`;
        // Checked before the import: the codes are handed out once, and must have somewhere to go.
        if (!o.dryRun && existsSync(codesFile))
          throw new CliError(`${codesFile} exists: move it away or give --codes <new file>.`, 2);
        const started = await unwrap(
          ctx.api().POST('/api/v1/user-imports', {
            params: { query: { filename: path.basename(file), dryRun: o.dryRun ? 'true' : 'false' } },
            body: csv,
            bodySerializer: (b: string) => b,
            headers: { 'content-type': 'text/csv' },
          }),
        );
        await finish(ctx, started.id, codesFile, o);
      },
    );
}

type Sync = Schemas['DirectorySync'];

/** `pakawaaz directory-sync …`: officials from LDAP / Active Directory (national security officers). */
function addDirectorySync(program: Command, ctx: CliContext): void {
  const ds = program.command('directory-sync').description('officials from LDAP / Active Directory');
  ds.command('add')
    .description('add a directory (the bind password is read from stdin, sealed, never shown again)')
    .requiredOption('--name <name>', 'a name for this directory')
    .requiredOption('--url <url>', 'ldaps://host:port, or ldap://host:port with --start-tls')
    .option('--start-tls', 'ldap:// only: upgrade to TLS (StartTLS) before the bind')
    .option('--ca-file <pem>', "the CA(s) that issued the directory's certificate (else the system's CAs)")
    .option('--allow-plaintext', 'ldap:// without TLS: the bind password crosses the network in clear')
    .requiredOption('--bind-dn <dn>', 'the service account that reads people')
    .requiredOption('--base <dn>', 'where to search (subtree)')
    .option('--filter <filter>', 'LDAP filter', '(objectClass=inetOrgPerson)')
    .option('--map <pairs>', 'field=attribute,…', DEFAULT_MAP)
    .option('--institution <id or name>', 'the institution of every entry (no institution attribute)')
    .option('--every <minutes>', 'run on this schedule', positiveInt)
    .action(async (o: SyncOptions) => {
      const bindPassword = (ctx.io.stdin ?? (() => readFileSync(0, 'utf8')))().replace(/\r?\n$/, '');
      if (!bindPassword) throw new CliError('Give the bind password on stdin.', 2);
      const pairs: Record<string, string> = Object.fromEntries(
        o.map.split(',').map((p): [string, string] => {
          const [field = '', attr = ''] = p.split('=').map((x) => x.trim());
          return [field, attr];
        }),
      );
      if (!pairs.username || !pairs.displayName)
        throw new CliError('--map must name the username and displayName attributes.', 2);
      // The server checks the field names and answers 400 naming an unknown one.
      const mapping = { ...pairs, username: pairs.username, displayName: pairs.displayName };
      const body = {
        name: o.name,
        url: o.url,
        startTls: !!o.startTls,
        allowPlaintext: !!o.allowPlaintext,
        caCertificates: o.caFile ? readCaFile(o.caFile) : null,
        bindDn: o.bindDn,
        bindPassword,
        baseDn: o.base,
        filter: o.filter,
        mapping,
        institution: o.institution ?? null,
        intervalMinutes: o.every ?? null,
      };
      const r = await unwrap(ctx.api().POST('/api/v1/directory-syncs', { body }));
      ctx.io.stdout(`${r.id}\n`);
    });
  ds.command('list')
    .description('list directories')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(ctx.api().GET('/api/v1/directory-syncs'));
      const line = (s: Sync) =>
        `${s.id}  ${s.name.padEnd(20)}  ${s.url} (${s.transport})  ${s.baseDn}  every ${s.intervalMinutes ?? '-'} min  last ${s.lastRunAt ?? 'never'}`;
      ctx.print(r, !!o.json, () => `${r.syncs.map(line).join('\n')}\n`);
    });
  ds.command('link <sync>')
    .description('link an existing official to the directory (a sync never adopts one by username)')
    .requiredOption('--user <username or id>', 'the official; must have an entry under the base and filter')
    .action(async (sync: string, o: { user: string }) => {
      const r = await unwrap(
        ctx.api().POST('/api/v1/directory-syncs/{id}/links', {
          params: { path: { id: sync } },
          body: { user: o.user },
        }),
      );
      ctx.io.stdout(`${r.username} is now managed by ${r.sync} (${r.dn})\n`);
    });
  ds.command('run <name>')
    .description('sync now with progress; codes of created officials go to a private file')
    .option('--dry-run', 'report what would be created, updated or disabled; change nothing')
    .option('--codes <file>', 'where to write the enrolment codes', 'directory-sync.codes.csv')
    .option('--json', 'print the final job as JSON')
    .option('--max-errors <n>', 'entry errors to print', positiveInt, 20)
    .action(
      async (name: string, o: { dryRun?: boolean; codes: string; json?: boolean; maxErrors: number }) => {
        if (!o.dryRun && existsSync(o.codes))
          throw new CliError(`${o.codes} exists: move it away or give --codes <new file>.`, 2);
        const started = await unwrap(
          ctx.api().POST('/api/v1/directory-syncs/{id}/runs', {
            params: { path: { id: name }, query: { dryRun: o.dryRun ? 'true' : 'false' } },
          }),
        );
        await finish(ctx, started.id, o.codes, o);
      },
    );
}

const DEFAULT_MAP =
  'username=uid,displayName=cn,designation=title,institution=ou,email=mail,phone=telephoneNumber';
type SyncOptions = {
  name: string;
  url: string;
  startTls?: boolean;
  caFile?: string;
  allowPlaintext?: boolean;
  bindDn: string;
  base: string;
  filter: string;
  map: string;
  institution?: string;
  every?: number;
};

/** Follows a job to its end, writes its enrolment codes once, prints the summary; exit 1 on refusals. */
async function finish(
  ctx: CliContext,
  id: string,
  codesFile: string,
  o: { json?: boolean; maxErrors: number },
): Promise<void> {
  const job = await follow(ctx, id, process.stderr.isTTY === true);
  let wrote: string | null = null;
  if (job.codesAvailable) {
    const codes = await unwrap(
      ctx.api().POST('/api/v1/user-imports/{id}/codes', {
        params: { path: { id: job.id } },
        parseAs: 'text',
      }),
    );
    // 'wx': an existing file is never overwritten; 0600: only this account reads the codes.
    await writeFile(codesFile, codes, { flag: 'wx', mode: 0o600 }).catch((err: NodeJS.ErrnoException) => {
      ctx.io.stdout(codes);
      throw new CliError(
        `Cannot write ${codesFile} (${err.code ?? err.message}): the codes were printed above, once.`,
        1,
      );
    });
    wrote = codesFile;
  }
  ctx.print(job, !!o.json, () => summary(job, o.maxErrors, wrote));
  if (job.status === 'failed' || job.invalid > 0) throw new CliError('', 1);
}

export const registerUserImportCommands: RegisterCommands = (program, ctx) => {
  const users = program.commands.find((c) => c.name() === 'users');
  if (!users) throw new Error('register the users commands first');
  addImport(users, ctx);
  addDirectorySync(program, ctx);
};

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(
      `Cannot read --ca-file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`,
      2,
    );
  }
}
