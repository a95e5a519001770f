import { unwrap } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';
import { registerRadiusLog } from './radius-log.js';

/** The RADIUS server: NAS clients and accounting records. */
export const registerRadiusCommands: RegisterCommands = (program, { api, io, print }) => {
  const userId = async (ref: string) =>
    /^[0-9a-f-]{36}$/i.test(ref)
      ? ref
      : (await unwrap(api().GET('/api/v1/users/{id}', { params: { path: { id: ref } } }))).id;
  const radius = program.command('radius').description('RADIUS server: NAS clients and accounting');
  registerRadiusLog(radius, { api, io, print });
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
  const change = (id: string, body: { disabled: boolean }) =>
    unwrap(api().PATCH('/api/v1/radius/clients/{id}', { params: { path: { id } }, body }));
  clients
    .command('disable <name-or-id>')
    .description('disable a NAS: its packets are dropped (and logged as nas_disabled) until enabled')
    .action(async (id: string) => {
      io.stdout(`disabled ${(await change(id, { disabled: true })).name}\n`);
    });
  clients
    .command('enable <name-or-id>')
    .description('enable a disabled NAS again')
    .action(async (id: string) => {
      io.stdout(`enabled ${(await change(id, { disabled: false })).name}\n`);
    });
  clients
    .command('rotate-secret <name-or-id>')
    .description('give a NAS a new shared secret (the old one stops working at once)')
    .option('--secret <secret>', 'the new secret (≥ 16 characters); generated and printed when omitted')
    .action(async (id: string, o: { secret?: string }) => {
      const r = await unwrap(
        api().POST('/api/v1/radius/clients/{id}/secret', {
          params: { path: { id } },
          body: o.secret ? { secret: o.secret } : {},
        }),
      );
      if (o.secret) io.stdout(`rotated the secret of ${id}\n`);
      else {
        io.stdout(`${r.secret}\n`);
        io.stderr(`new secret of ${id} above, shown once; set it on the NAS now\n`);
      }
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
    .option('--user <username or id>', 'the official')
    .option('--imsi <imsi>')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (o: { user?: string; imsi?: string; limit: number; json?: boolean }) => {
      const query = {
        limit: o.limit,
        // The API filters by user id: a username is looked up first.
        ...(o.user ? { user: await userId(o.user) } : {}),
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
