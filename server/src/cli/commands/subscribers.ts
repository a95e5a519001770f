import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option } from '../commander.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';

type Subscriber = Schemas['Subscriber'];

/** Open5GS state in a list line; in export-only mode, whether the change still waits for an export. */
const open5gs = (s: Subscriber) =>
  s.open5gs.state === 'export-only'
    ? s.open5gs.exportPending
      ? 'export!'
      : 'exported'
    : s.open5gs.synced
      ? 'synced '
      : 'pending';

/** The official as people know them: name, username, institution (never a raw id unless identity lost them). */
const person = (s: Subscriber) =>
  `${s.displayName} (${s.username ?? `unknown user ${s.userId}`}${s.officialStatus === 'disabled' ? ', disabled' : ''}), ${s.institutionName ?? (s.institutionId ? 'unknown institution' : 'national')}`;

const line = (s: Subscriber) =>
  `${s.imsi}  ${(s.msisdn ?? '-').padEnd(15)}  ${s.status.padEnd(6)}  ${s.profile.padEnd(12)}  ${open5gs(s)}  ${person(s)}${s.barringReason ? `  — ${s.barringReason}` : ''}`;

const detail = (s: Subscriber) =>
  [
    `IMSI         ${s.imsi}`,
    `MSISDN       ${s.msisdn ?? '-'}`,
    `official     ${s.displayName} (${s.username ?? `unknown user ${s.userId}`})${s.officialStatus === 'disabled' ? ' — account disabled' : ''}`,
    `institution  ${s.institutionName ?? (s.institutionId ? 'unknown institution' : 'national (none)')}`,
    `profile      ${s.profile}${s.staticIpv4 ? `, static IPv4 ${s.staticIpv4}` : ''}${s.staticIpv6 ? `, static IPv6 ${s.staticIpv6} (its /64)` : ''}`,
    `status       ${s.status}${s.barringReason ? ` — ${s.barringReason}` : ''}`,
    `Open5GS      ${s.open5gs.state}${s.open5gs.error ? ` — ${s.open5gs.error}` : ''}`,
  ].join('\n') + '\n';

type BulkResult = Schemas['BulkAssignmentResult'];
const bulkSummary = (r: BulkResult, maxErrors: number) =>
  [
    `${r.dryRun ? 'dry run: would assign' : 'assigned'} ${r.assigned} of ${r.totalRows} line(s); ${r.failed} refused`,
    ...r.errors
      .slice(0, maxErrors)
      .map((e) => `  line ${e.line}${e.imsi ? ` (${e.imsi})` : ''}: ${e.code}: ${e.reason}`),
    ...(r.failed > maxErrors ? [`  … ${r.failed - maxErrors} more (--max-errors, or --json)`] : []),
  ].join('\n') + '\n';

/**
 * The export goes into a directory of its own: new, or empty. Checked before the export runs (the server
 * records each run), and the files are still created exclusively.
 */
async function prepareExportDir(dir: string): Promise<(name: string) => string> {
  if (dir.endsWith('.json'))
    throw new CliError(
      `--out is a directory now (subscribers.json, deletions.json, apply.sh): use e.g. --out ${dir.slice(0, -5)}`,
      2,
    );
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: Error) => {
    throw new CliError(`Cannot create ${dir}: ${err.message}`, 2);
  });
  if ((await readdir(dir)).length > 0)
    throw new CliError(`${dir} is not empty: choose a new directory (exports are never overwritten).`, 2);
  return (name) => path.join(dir, name);
}

/** Subscribers (SIM ↔ official) and their profile templates. */
export const registerSubscriberCommands: RegisterCommands = (program, { api, io, print }) => {
  const subs = program.command('subscribers').description('SIMs assigned to officials, as Open5GS sees them');
  subs
    .command('assign')
    .description('assign an available SIM to an official')
    .requiredOption('--imsi <imsi>', 'IMSI of an available SIM')
    .requiredOption(
      '--user <username or id>',
      'the official (an active user): their name and institution come from identity',
    )
    .option('--profile <name>', 'subscriber profile', 'default')
    .option('--static-ip <ipv4>', 'fixed UE IPv4 address')
    .option('--static-ipv6 <ipv6>', 'fixed UE IPv6 address (the UE gets its whole /64)')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        imsi: string;
        user: string;
        profile: string;
        staticIp?: string;
        staticIpv6?: string;
        json?: boolean;
      }) => {
        const body = {
          imsi: o.imsi,
          official: o.user,
          profile: o.profile,
          ...(o.staticIp ? { staticIpv4: o.staticIp } : {}),
          ...(o.staticIpv6 ? { staticIpv6: o.staticIpv6 } : {}),
        };
        const s = await unwrap(api().POST('/api/v1/subscribers', { body }));
        print(s, !!o.json, () => `${line(s)}\n`);
      },
    );
  subs
    .command('assign-bulk <file>')
    .description(
      'assign SIMs from a CSV file "imsi,username" (username or user id); each line is assigned or refused on its own',
    )
    .option('--dry-run', 'check every line, change nothing')
    .option('--max-errors <n>', 'refused lines to print', positiveInt, 20)
    .option('--json', 'print JSON')
    .action(async (file: string, o: { dryRun?: boolean; maxErrors: number; json?: boolean }) => {
      const csv = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new CliError(`Cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 2);
      });
      const r = await unwrap(
        api().POST('/api/v1/subscribers/assignments', {
          params: { query: { dryRun: o.dryRun ? 'true' : 'false' } },
          body: csv,
          bodySerializer: (b: string) => b,
          headers: { 'content-type': 'text/csv' },
        }),
      );
      print(r, !!o.json, () => bulkSummary(r, o.maxErrors));
      if (r.failed > 0) throw new CliError('', 1);
    });
  subs
    .command('show')
    .description('one subscriber: the official by name, institution, profile, status')
    .requiredOption('--imsi <imsi>', 'IMSI')
    .option('--json', 'print JSON')
    .action(async (o: { imsi: string; json?: boolean }) => {
      const s = await unwrap(api().GET('/api/v1/subscribers/{imsi}', { params: { path: { imsi: o.imsi } } }));
      print(s, !!o.json, () => detail(s));
    });
  for (const action of ['bar', 'unbar'] as const) {
    subs
      .command(action)
      .description(
        action === 'bar' ? 'bar a subscriber (operator-determined barring in Open5GS)' : 'lift a barring',
      )
      .requiredOption('--imsi <imsi>', 'IMSI')
      .requiredOption('--reason <text>', 'why (kept in the audit log)')
      .action(async (o: { imsi: string; reason: string }) => {
        const s = await unwrap(
          api().POST(`/api/v1/subscribers/{imsi}/${action}`, {
            params: { path: { imsi: o.imsi } },
            body: { reason: o.reason },
          }),
        );
        io.stdout(`${line(s)}\n`);
      });
  }
  subs
    .command('unassign')
    .description('return the SIM to the inventory and remove the subscriber from Open5GS')
    .requiredOption('--imsi <imsi>', 'IMSI')
    .action(async (o: { imsi: string }) => {
      await unwrap(api().DELETE('/api/v1/subscribers/{imsi}', { params: { path: { imsi: o.imsi } } }));
      io.stdout(`unassigned ${o.imsi}\n`);
    });
  subs
    .command('list')
    .description('list subscribers')
    .option('--search <text>', "IMSI or MSISDN prefix, or part of the official's name")
    .addOption(new Option('--status <status>').choices(['active', 'barred']))
    .option('--limit <n>', 'page size', positiveInt, 50)
    .option('--offset <n>', 'skip this many', (v) => Number(v), 0)
    .option('--json', 'print JSON')
    .action(
      async (o: {
        search?: string;
        status?: 'active' | 'barred';
        limit: number;
        offset: number;
        json?: boolean;
      }) => {
        const query = {
          limit: o.limit,
          offset: o.offset,
          ...(o.search ? { search: o.search } : {}),
          ...(o.status ? { status: o.status } : {}),
        };
        const r = await unwrap(api().GET('/api/v1/subscribers', { params: { query } }));
        print(
          r,
          !!o.json,
          () => `${r.subscribers.map(line).join('\n')}\n(${r.subscribers.length} of ${r.total})\n`,
        );
      },
    );

  subs
    .command('sync')
    .description('push subscribers to Open5GS MongoDB now (OPEN5GS_MONGODB_URL) and print the drift report')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().POST('/api/v1/open5gs/sync'));
      print(
        r,
        !!o.json,
        () =>
          [
            `${r.ok ? 'synced' : `FAILED: ${r.error}`}: upserted ${r.upserted}, deleted ${r.deleted}, unchanged ${r.unchanged}, unmanaged ${r.unmanaged.length}`,
            ...r.drift.map((d) => `  drift ${d.imsi}: ${d.kind} ${d.fields.join(', ')}`),
          ].join('\n') + '\n',
      );
      if (!r.ok) throw new CliError('', 1);
    });
  subs
    .command('export')
    .description(
      'write Open5GS mongoimport files: documents to upsert, IMSIs to delete, apply.sh (K/OPc: mode 0600; security-officer)',
    )
    .requiredOption('--out <dir>', 'new or empty directory to write into (files are never overwritten)')
    .action(async (o: { out: string }) => {
      const files = await prepareExportDir(o.out);
      const r = await unwrap(api().POST('/api/v1/open5gs/export'));
      for (const [name, content, mode] of [
        ['subscribers.json', r.subscribers, 0o600],
        ['deletions.json', r.deletionsFile, 0o600],
        ['apply.sh', r.applyScript, 0o700],
      ] as const)
        await writeFile(files(name), content, { mode, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
          throw new CliError(`Cannot write ${files(name)}: ${err.message}`, 2);
        });
      io.stdout(
        `wrote ${r.documents} subscribers to ${files('subscribers.json')} and ${r.deletions} deletions to ${files('deletions.json')}\n` +
          `load both into Open5GS with: ${files('apply.sh')} [--uri mongodb://HOST:27017]\n`,
      );
    });
  subs
    .command('export-status')
    .description('when the last Open5GS export ran, and how many changes wait for the next one')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/open5gs/export'));
      print(r, !!o.json, () => {
        const last = r.last
          ? `last export ${r.last.exportedAt} by ${r.last.by.name}: ${r.last.documents} subscribers, ${r.last.deletions} deletions`
          : 'no export yet';
        if (r.mode === 'mongodb') return `${last}\nmode mongodb: live sync, no export needed\n`;
        return `${last}\nwaiting for the next export: ${r.pending.updates} changed, ${r.pending.removals} to remove from Open5GS\n`;
      });
    });
};
