import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import type { CliContext, RegisterCommands } from '../context.js';
import { printable } from './radius-log.js';

type DeviceCommand = Schemas['DeviceCommand'];
type CommandType = Schemas['CreateDeviceCommandRequest']['type'];
type DevicePolicy = Schemas['DevicePolicy'];

const TYPES: readonly CommandType[] = [
  'lock',
  'wipe',
  'reboot',
  'install_app',
  'uninstall_app',
  'update_os',
  'rotate_certificate',
  'reattest',
  'relinquish',
  'locate',
];
/** Commands that end the handset's service: asked for confirmation unless --yes. */
const DESTRUCTIVE: readonly CommandType[] = ['wipe', 'relinquish'];
/** Parameters that are numbers on the wire. */
const NUMERIC_PARAMS = new Set(['versionCode']);

/**
 * Commands for handsets and their policies (`pakawaaz devices command|commands|cancel-command|policy …`).
 * Adds to `devices` when another module (enrolment, the device list) created it.
 */
export const registerDeviceCommandCommands: RegisterCommands = (program, ctx) => {
  const devices =
    program.commands.find((c) => c.name() === 'devices') ??
    program.command('devices').description('enrolled handsets: commands, policies, compliance');
  addCommand(devices, ctx);
  addHistory(devices, ctx);
  addCancel(devices, ctx);
  addPolicy(devices.command('policy').description('device policies: national and per institution'), ctx);
};

type CommandOptions = {
  device: string;
  type: string;
  param: Record<string, string | number>;
  idempotencyKey?: string;
  expiresInMinutes?: number;
  yes?: boolean;
  json?: boolean;
};

function addCommand(devices: Command, ctx: CliContext): void {
  devices
    .command('command')
    .description('queue a command for a handset (device-admin); it runs at the next check-in')
    .requiredOption('--device <id>', 'the device id')
    .requiredOption('--type <type>', TYPES.join('|'))
    .option(
      '--param <key=value>',
      'a parameter (repeat): package=…, versionCode=…, apkSha256=…, version=…',
      collectParam,
      {},
    )
    .option('--idempotency-key <key>', 'retrying with the same key never queues a second command')
    .option('--expires-in-minutes <n>', 'drop it when not acknowledged by then (default 7 days)', positive)
    .option('--yes', 'wipe or relinquish without asking')
    .option('--json', 'print JSON')
    .action(async (o: CommandOptions) => {
      const type = commandType(o.type);
      if (DESTRUCTIVE.includes(type) && !o.yes)
        await confirm(`${type} device ${o.device}? This cannot be undone. [y/N] `, ctx.io);
      const body = {
        type,
        ...(Object.keys(o.param).length > 0 ? { params: o.param } : {}),
        ...(o.idempotencyKey ? { idempotencyKey: o.idempotencyKey } : {}),
        ...(o.expiresInMinutes ? { expiresInMinutes: o.expiresInMinutes } : {}),
      };
      const r = await unwrap(
        ctx.api().POST('/api/v1/devices/{id}/commands', { params: { path: { id: o.device } }, body }),
      );
      ctx.print(r, !!o.json, () => `${r.type} ${r.id}: ${r.state} (expires ${r.expiresAt})\n`);
    });
}

function addHistory(devices: Command, ctx: CliContext): void {
  devices
    .command('commands')
    .description('the commands of a handset, newest first, each with its state')
    .requiredOption('--device <id>', 'the device id')
    .option('--json', 'print JSON')
    .action(async (o: { device: string; json?: boolean }) => {
      const r = await unwrap(
        ctx.api().GET('/api/v1/devices/{id}/commands', { params: { path: { id: o.device } } }),
      );
      ctx.print(r, !!o.json, () =>
        r.commands.length ? r.commands.map(commandLine).join('') : 'no commands\n',
      );
    });
}

function addCancel(devices: Command, ctx: CliContext): void {
  devices
    .command('cancel-command')
    .description('stop a command being delivered (one the handset already received may still run)')
    .requiredOption('--device <id>', 'the device id')
    .requiredOption('--command <id>', 'the command id')
    .option('--json', 'print JSON')
    .action(async (o: { device: string; command: string; json?: boolean }) => {
      const r = await unwrap(
        ctx.api().POST('/api/v1/devices/{id}/commands/{commandId}/cancel', {
          params: { path: { id: o.device, commandId: o.command } },
        }),
      );
      ctx.print(r, !!o.json, () => commandLine(r));
    });
}

function addPolicy(policy: Command, ctx: CliContext): void {
  policy
    .command('show')
    .description('the policy in force for an institution (or the national one): version and settings')
    .argument('[scope]', "an institution id, or 'national'", 'national')
    .option('--json', 'print JSON')
    .action(async (scope: string, o: { json?: boolean }) => {
      const r = await unwrap(
        ctx.api().GET('/api/v1/device-policies/{scope}', { params: { path: { scope } } }),
      );
      ctx.print(r, !!o.json, () => showPolicy(r));
    });
  policy
    .command('set')
    .description("store a policy's next version from a JSON file of settings (device-admin)")
    .argument('[scope]', "an institution id, or 'national'", 'national')
    .requiredOption('--file <file>', 'the settings as JSON (the `settings` of `policy show --json`)')
    .option('--base-version <n>', "store only if the scope's own policy is still this version", whole)
    .option('--json', 'print JSON')
    .action(async (scope: string, o: { file: string; baseVersion?: number; json?: boolean }) => {
      const settings = await readSettings(o.file);
      const body = { settings, ...(o.baseVersion === undefined ? {} : { baseVersion: o.baseVersion }) };
      const r = await unwrap(
        ctx.api().PUT('/api/v1/device-policies/{scope}', { params: { path: { scope } }, body }),
      );
      ctx.print(r, !!o.json, () => `stored ${r.scope} device policy version ${r.version}\n`);
    });
}

/** One command per line; the names and the handset's detail are shown as text, never as terminal control. */
export function commandLine(c: DeviceCommand): string {
  const detail = c.result?.detail ? ` — ${printable(c.result.detail)}` : '';
  return `${c.createdAt}  ${c.type.padEnd(18)} ${c.state.padEnd(10)} ${c.id}  by ${printable(c.createdBy.displayName)}${detail}\n`;
}

function showPolicy(p: DevicePolicy): string {
  const whose =
    p.source === 'institution'
      ? 'its own'
      : p.source === 'national'
        ? 'the national policy'
        : 'the built-in default';
  const by = p.updatedBy ? ` by ${printable(p.updatedBy)} at ${p.updatedAt}` : '';
  return `${p.scope}: version ${p.version} (${whose})${by}\n${JSON.stringify(p.settings, null, 2)}\n`;
}

async function readSettings(file: string): Promise<Schemas['PutDevicePolicyRequest']['settings']> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new CliError(`Cannot read ${file}.`, 2);
  });
  try {
    const parsed = JSON.parse(text) as unknown;
    // `policy show --json` output works as input too.
    if (parsed && typeof parsed === 'object' && 'settings' in parsed && 'version' in parsed)
      return (parsed as { settings: Schemas['PutDevicePolicyRequest']['settings'] }).settings;
    return parsed as Schemas['PutDevicePolicyRequest']['settings'];
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`, 2);
  }
}

function commandType(v: string): CommandType {
  const t = TYPES.find((x) => x === v);
  if (!t) throw new CliError(`Unknown command type "${v}": one of ${TYPES.join(', ')}.`, 2);
  return t;
}

function collectParam(v: string, acc: Record<string, string | number>): Record<string, string | number> {
  const at = v.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('expected key=value');
  const key = v.slice(0, at);
  const value = v.slice(at + 1);
  if (NUMERIC_PARAMS.has(key)) {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${key} must be a whole number`);
    return { ...acc, [key]: n };
  }
  return { ...acc, [key]: value };
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function whole(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Asks on a terminal; anywhere else the caller must have said --yes. */
async function confirm(question: string, io: CliContext['io']): Promise<void> {
  if (!process.stdin.isTTY)
    throw new CliError('Not queued: not on a terminal, so nobody confirmed. Give --yes to confirm.', 2);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(question).finally(() => rl.close());
  if (!/^y(es)?$/i.test(answer.trim())) {
    io.stderr('not queued\n');
    throw new CliError('', 1);
  }
}
