import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { printable } from './radius-log.js';

type Group = Schemas['DeviceGroup'];
type GroupDetail = Schemas['DeviceGroupDetail'];
type Settings = Schemas['PutDevicePolicyRequest']['settings'];

/**
 * `pakawaaz devices groups list|show|create|rename|delete|add|remove|policy …`: device groups of an
 * institution and their policies. Members are named by device id (--device) or by official (--official).
 */
export const registerDeviceGroupCommands: RegisterCommands = (program, ctx) => {
  const devices =
    program.commands.find((c) => c.name() === 'devices') ??
    program.command('devices').description('enrolled handsets: commands, policies, compliance');
  const groups = devices
    .command('groups')
    .description('device groups within an institution and their policies');
  const api = () => ctx.api();

  groups
    .command('list')
    .description('the groups of your institutions (national: all)')
    .option('--institution <id>', 'only this institution’s')
    .option('--json', 'print JSON')
    .action(async (o: { institution?: string; json?: boolean }) => {
      const query = o.institution ? { institution: o.institution } : {};
      const r = await unwrap(api().GET('/api/v1/device-groups', { params: { query } }));
      ctx.print(r, !!o.json, () =>
        r.groups.length ? r.groups.map(groupLine).join('') : 'no device groups\n',
      );
    });
  groups
    .command('show')
    .argument('<group>', 'the group id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/device-groups/{id}', { params: { path: { id } } }));
      ctx.print(r, !!o.json, () => detail(r));
    });
  groups
    .command('create')
    .description('create a group (device-admin)')
    .argument('<name>', 'unique within the institution')
    .option('--institution <id>', 'the group’s institution (required for national operators)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { institution?: string; json?: boolean }) => {
      const body = { name, ...(o.institution ? { institutionId: o.institution } : {}) };
      const r = await unwrap(api().POST('/api/v1/device-groups', { body }));
      ctx.print(r, !!o.json, () => `created ${groupLine(r)}`);
    });
  groups
    .command('rename')
    .argument('<group>', 'the group id')
    .argument('<name>', 'the new name')
    .option('--json', 'print JSON')
    .action(async (id: string, name: string, o: { json?: boolean }) => {
      const r = await unwrap(
        api().PATCH('/api/v1/device-groups/{id}', { params: { path: { id } }, body: { name } }),
      );
      ctx.print(r, !!o.json, () => `renamed ${groupLine(r)}`);
    });
  groups
    .command('delete')
    .description('delete a group: its handsets follow the institution’s policy again')
    .argument('<group>', 'the group id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(api().DELETE('/api/v1/device-groups/{id}', { params: { path: { id } } }));
      ctx.print(r, !!o.json, () => `deleted ${r.id} (${r.released} handsets released)\n`);
    });
  groups
    .command('add')
    .description('add handsets by device id or official (repeat the options); a handset moves from its group')
    .argument('<group>', 'the group id')
    .option('--device <id>', 'a device id', collect, [])
    .option(
      '--official <username>',
      "an official's username or user id: all their live handsets",
      collect,
      [],
    )
    .option('--json', 'print JSON')
    .action(async (id: string, o: { device: string[]; official: string[]; json?: boolean }) => {
      if (o.device.length + o.official.length === 0)
        throw new CliError('Name at least one --device or --official.', 2);
      const body = {
        ...(o.device.length ? { devices: o.device } : {}),
        ...(o.official.length ? { officials: o.official } : {}),
      };
      const r = await unwrap(
        api().POST('/api/v1/device-groups/{id}/members', { params: { path: { id } }, body }),
      );
      ctx.print(r, !!o.json, () => detail(r));
    });
  groups
    .command('remove')
    .argument('<group>', 'the group id')
    .requiredOption('--device <id>', 'the device id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { device: string; json?: boolean }) => {
      const r = await unwrap(
        api().DELETE('/api/v1/device-groups/{id}/members/{deviceId}', {
          params: { path: { id, deviceId: o.device } },
        }),
      );
      ctx.print(r, !!o.json, () => detail(r));
    });
  addPolicy(groups.command('policy').description("a group's own policy"), ctx);
};

function addPolicy(policy: Command, ctx: CliContext): void {
  policy
    .command('show')
    .argument('<group>', 'the group id')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await unwrap(
        ctx.api().GET('/api/v1/device-groups/{id}/policy', { params: { path: { id } } }),
      );
      ctx.print(
        r,
        !!o.json,
        () => `${r.scope}: version ${r.version} (${r.source})\n${JSON.stringify(r.settings, null, 2)}\n`,
      );
    });
  policy
    .command('set')
    .description("store the group's next policy version from a JSON file of settings (device-admin)")
    .argument('<group>', 'the group id')
    .requiredOption('--file <file>', 'the settings as JSON (the `settings` of `policy show --json`)')
    .option('--base-version <n>', "store only if the group's own policy is still this version", whole)
    .option('--json', 'print JSON')
    .action(async (id: string, o: { file: string; baseVersion?: number; json?: boolean }) => {
      const settings = await readSettings(o.file);
      const body = { settings, ...(o.baseVersion === undefined ? {} : { baseVersion: o.baseVersion }) };
      const r = await unwrap(
        ctx.api().PUT('/api/v1/device-groups/{id}/policy', { params: { path: { id } }, body }),
      );
      ctx.print(r, !!o.json, () => `stored group device policy version ${r.version}\n`);
    });
}

function groupLine(g: Group): string {
  return `${g.id}  ${printable(g.name).padEnd(30)} ${String(g.members).padStart(5)} handsets  institution ${g.institutionId}\n`;
}

function detail(g: GroupDetail): string {
  const head = `${printable(g.name)} (${g.id}), institution ${g.institutionId}\npolicy: version ${g.policy.version} (${g.policy.source})\n`;
  const rows = g.devices.map(
    (d) =>
      `  ${d.id}  ${printable(d.official.username ?? d.official.id).padEnd(24)} ${printable(d.model ?? '-').padEnd(16)} ${d.compliance}\n`,
  );
  return head + (rows.length ? rows.join('') : '  no handsets\n');
}

async function readSettings(file: string): Promise<Settings> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`Cannot read ${file}.`, 2);
  });
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && 'settings' in parsed && 'version' in parsed)
      return (parsed as { settings: Settings }).settings;
    return parsed as Settings;
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`, 2);
  }
}

function collect(v: string, acc: string[]): string[] {
  return [...acc, v];
}

function whole(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError('expected a whole number', 2);
  return n;
}
