import { readFile, writeFile } from 'node:fs/promises';
import { Option } from '../commander.js';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';

type Subscriber = Schemas['Subscriber'];

const line = (s: Subscriber) =>
  `${s.imsi}  ${(s.msisdn ?? '-').padEnd(15)}  ${s.status.padEnd(6)}  ${s.profile.padEnd(12)}  ${s.open5gs.synced ? 'synced ' : 'pending'}  ${s.displayName} (${s.userId})${s.barringReason ? `  — ${s.barringReason}` : ''}`;

/** Subscribers (SIM ↔ official) and their profile templates. */
export const registerSubscriberCommands: RegisterCommands = (program, { api, io, print }) => {
  const subs = program.command('subscribers').description('SIMs assigned to officials, as Open5GS sees them');
  subs
    .command('assign')
    .description('assign an available SIM to an official')
    .requiredOption('--imsi <imsi>', 'IMSI of an available SIM')
    .requiredOption('--user <user>', "the official's user id or username in identity")
    .option('--name <display name>', 'name shown in the NOC (default: the user)')
    .option('--institution <id>', 'institution id')
    .option('--profile <name>', 'subscriber profile', 'default')
    .option('--static-ip <ipv4>', 'fixed UE IPv4 address')
    .option('--json', 'print JSON')
    .action(
      async (o: {
        imsi: string;
        user: string;
        name?: string;
        institution?: string;
        profile: string;
        staticIp?: string;
        json?: boolean;
      }) => {
        const body = {
          imsi: o.imsi,
          userId: o.user,
          displayName: o.name ?? o.user,
          profile: o.profile,
          ...(o.institution ? { institutionId: o.institution } : {}),
          ...(o.staticIp ? { staticIpv4: o.staticIp } : {}),
        };
        const s = await unwrap(api().POST('/api/v1/subscribers', { body }));
        print(s, !!o.json, () => `${line(s)}\n`);
      },
    );
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
    .option('--search <text>', 'IMSI or MSISDN prefix, or part of the name')
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
