import { unwrap } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';

/** The RADIUS server: NAS clients and accounting records. */
export const registerRadiusCommands: RegisterCommands = (program, { api, io, print }) => {
  const radius = program.command('radius').description('RADIUS server: NAS clients and accounting');
  radius
    .command('status')
    .description('listening ports and counters')
    .action(async () => {
      io.stdout(`${JSON.stringify(await unwrap(api().GET('/api/v1/radius/status')), null, 2)}\n`);
    });
  const clients = radius.command('clients').description('NAS clients allowed to send RADIUS');
  clients
    .command('add')
    .description('register a NAS (Wi-Fi controller, VPN concentrator) by address or CIDR with its own secret')
    .requiredOption('--name <name>', 'what the NAS is')
    .requiredOption('--ip <cidr>', 'its address or CIDR block, e.g. 10.20.0.0/16')
    .option('--secret <secret>', 'shared secret (≥ 16 characters); generated and printed when omitted')
    .option('--json', 'print JSON')
    .action(async (o: { name: string; ip: string; secret?: string; json?: boolean }) => {
      const body = { name: o.name, cidr: o.ip, ...(o.secret ? { secret: o.secret } : {}) };
      const r = await unwrap(api().POST('/api/v1/radius/clients', { body }));
      print(r, !!o.json, () => (o.secret ? `${r.id}\n` : `${r.secret}\n`));
      if (!o.json && !o.secret)
        io.stderr(`registered ${r.name} (${r.cidr}); the secret above is shown once\n`);
    });
  clients
    .command('list')
    .description('list NAS clients (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/radius/clients'));
      print(
        r,
        !!o.json,
        () => r.clients.map((c) => `${c.id}  ${c.cidr.padEnd(20)}  ${c.name}`).join('\n') + '\n',
      );
    });
  clients
    .command('remove <name-or-id>')
    .description('remove a NAS client; its packets are dropped from then on')
    .action(async (id: string) => {
      await unwrap(api().DELETE('/api/v1/radius/clients/{id}', { params: { path: { id } } }));
      io.stdout(`removed ${id}\n`);
    });
  radius
    .command('accounting')
    .description('accounting records, newest first')
    .option('--user <id>', 'official (user id)')
    .option('--imsi <imsi>')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (o: { user?: string; imsi?: string; limit: number; json?: boolean }) => {
      const query = {
        limit: o.limit,
        ...(o.user ? { user: o.user } : {}),
        ...(o.imsi ? { imsi: o.imsi } : {}),
      };
      const r = await unwrap(api().GET('/api/v1/radius/accounting', { params: { query } }));
      print(
        r,
        !!o.json,
        () =>
          r.records
            .map(
              (a) =>
                `${a.eventAt}  ${a.statusType.padEnd(14)}  ${a.acctSessionId.padEnd(16)}  ${a.username ?? '-'}  ${a.imsi ?? ''}  ${a.sessionTimeSeconds ?? ''}s  in ${a.inputOctets ?? 0} out ${a.outputOctets ?? 0}`,
            )
            .join('\n') + '\n',
      );
    });
};
