import { readFile, writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';

type Subscriber = Schemas['Subscriber'];

/** The official as people know them: name, username, institution (never a raw id unless identity lost them). */
const person = (s: Subscriber) =>
  `${s.displayName} (${s.username ?? `unknown user ${s.userId}`}${s.officialStatus === 'disabled' ? ', disabled' : ''}), ${s.institutionName ?? (s.institutionId ? 'unknown institution' : 'national')}`;

const line = (s: Subscriber) =>
  `${s.imsi}  ${(s.msisdn ?? '-').padEnd(15)}  ${s.status.padEnd(6)}  ${s.profile.padEnd(12)}  ${s.open5gs.synced ? 'synced ' : 'pending'}  ${person(s)}${s.barringReason ? `  — ${s.barringReason}` : ''}`;

const detail = (s: Subscriber) =>
  [
    `IMSI         ${s.imsi}`,
    `MSISDN       ${s.msisdn ?? '-'}`,
    `official     ${s.displayName} (${s.username ?? `unknown user ${s.userId}`})${s.officialStatus === 'disabled' ? ' — account disabled' : ''}`,
    `institution  ${s.institutionName ?? (s.institutionId ? 'unknown institution' : 'national (none)')}`,
    `profile      ${s.profile}${s.staticIpv4 ? `, static IPv4 ${s.staticIpv4}` : ''}`,
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
    .option('--json', 'print JSON')
    .action(async (o: { imsi: string; user: string; profile: string; staticIp?: string; json?: boolean }) => {
      const body = {
        imsi: o.imsi,
        official: o.user,
        profile: o.profile,
        ...(o.staticIp ? { staticIpv4: o.staticIp } : {}),
      };
      const s = await unwrap(api().POST('/api/v1/subscribers', { body }));
      print(s, !!o.json, () => `${line(s)}\n`);
    });
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
      'write every subscriber as Open5GS mongoimport JSON (contains K/OPc: file mode 0600; security-officer)',
    )
    .requiredOption('--out <file>', 'file to create (never overwritten)')
    .action(async (o: { out: string }) => {
      const ndjson = String(
        await unwrap(api().GET('/api/v1/open5gs/subscribers-export', { parseAs: 'text' })),
      );
      await writeFile(o.out, ndjson, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        throw new CliError(
          err.code === 'EEXIST'
            ? `${o.out} exists: choose a new file (exports are never overwritten).`
            : `Cannot write ${o.out}: ${err.message}`,
          2,
        );
      });
      const count = ndjson ? ndjson.trimEnd().split('\n').length : 0;
      io.stdout(
        `wrote ${count} subscribers to ${o.out}\nload with: mongoimport --db open5gs --collection subscribers --mode upsert --upsertFields imsi --file ${o.out}\n`,
      );
    });

  const profiles = program
    .command('profiles')
    .description('subscriber profile templates (AMBR, slices, DNNs, QoS)');
  profiles
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/subscriber-profiles'));
      print(
        r,
        !!o.json,
        () => r.profiles.map((p) => `${p.name.padEnd(16)} ${p.description}`).join('\n') + '\n',
      );
    });
  profiles
    .command('save <name> <file>')
    .description('create or replace a profile from a YAML or JSON file ({ ambr, slices })')
    .option('--description <text>', 'what the profile is for', '')
    .action(async (name: string, file: string, o: { description: string }) => {
      const text = await readFile(file, 'utf8').catch(() => {
        throw new CliError(`Cannot read ${file}.`, 2);
      });
      const { parse } = await import('yaml');
      await unwrap(
        api().PUT('/api/v1/subscriber-profiles/{name}', {
          params: { path: { name } },
          body: { description: o.description, profile: parse(text) as Schemas['SaveProfile']['profile'] },
        }),
      );
      io.stdout(`saved profile ${name}\n`);
    });
};
