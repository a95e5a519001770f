import { copyFileSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { CliError, unwrap, type Schemas } from '../api-client.js';
import { positiveInt, type CliContext, type RegisterCommands } from '../context.js';

/*
 * `pakawaaz devices …`: enrolment tokens, the devices list, retirement, and the attestation status mirror.
 * One function per subcommand, listed in SUBCOMMANDS: other slices (commands, policies) add theirs there.
 */

type Token = Schemas['EnrolmentToken'];
type Device = Schemas['DeviceSummary'];

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');
const who = (o: { username: string | null; displayName: string | null; id: string }) =>
  o.displayName ? `${o.displayName} (${o.username ?? o.id})` : o.id;

export function tokensText(tokens: readonly Token[]): string {
  if (!tokens.length) return 'No enrolment tokens.\n';
  return (
    tokens
      .map(
        (t) =>
          `${t.id}  ${t.state.padEnd(8)} ${who(t.official)}  ${t.institutionName ?? 'national'}  expires ${when(t.expiresAt)}${t.deviceId ? `  device ${t.deviceId}` : ''}`,
      )
      .join('\n') + '\n'
  );
}

export function devicesText(devices: readonly Device[], total: number): string {
  const lines = devices.map(
    (d) =>
      `${d.id}  ${d.state.padEnd(7)} ${d.compliance.padEnd(13)} ${who(d.official)}  ${d.institutionName ?? 'national'}  ${[d.brand, d.model].filter(Boolean).join(' ') || '-'}  IMEI ${d.imei ?? '-'}`,
  );
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${devices.length} of ${total} device${total === 1 ? '' : 's'}\n`;
}

function tokenCreate(devices: Command, { api, print }: CliContext): void {
  devices
    .command('enrolment-token')
    .description('enrolment tokens')
    .command('create')
    .description('a single-use enrolment token for an official (device-admin; printed once)')
    .requiredOption('--user <name>', "the official's username or user id")
    .option('--imsi <imsi>', 'bind the enrolment to this SIM')
    .option('--hours <n>', 'hours until the token expires (default 72, at most 720)', positiveInt)
    .option('--qr', 'also print the enrolment URL as a QR code on the terminal')
    .option('--json', 'print JSON')
    .action(async (o: { user: string; imsi?: string; hours?: number; qr?: boolean; json?: boolean }) => {
      const t = await unwrap(
        api().POST('/api/v1/enrolment-tokens', {
          body: {
            official: o.user,
            ...(o.imsi ? { imsi: o.imsi } : {}),
            ...(o.hours ? { expiresInHours: o.hours } : {}),
          },
        }),
      );
      const qr = o.qr ? await qrText(t.enrolUrl) : '';
      print(
        t,
        !!o.json,
        () =>
          `Enrolment token for ${who(t.official)}, expires ${when(t.expiresAt)} (shown once):\n` +
          `  token: ${t.token}\n  enrol URL: ${t.enrolUrl}\n${qr}`,
      );
    });
}

async function qrText(text: string): Promise<string> {
  const qrcode = await import('qrcode');
  return qrcode.toString(text, { type: 'terminal', small: true });
}

function tokenList(devices: Command, { api, print }: CliContext): void {
  devices
    .command('enrolment-tokens')
    .description('enrolment tokens in your scope, newest first')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/enrolment-tokens'));
      print(r.tokens, !!o.json, () => tokensText(r.tokens));
    });
}

function list(devices: Command, { api, print }: CliContext): void {
  devices
    .command('list')
    .description('enrolled handsets in your scope')
    .option('--search <text>', 'username or user id, or part of an IMEI, serial or model')
    .option('--compliance <state>', 'compliant, grace or non_compliant')
    .option('--state <state>', 'active, lost, wiped or retired')
    .option('--limit <n>', 'at most this many (default 50, at most 200)', positiveInt)
    .option('--json', 'print JSON')
    .action(
      async (o: { search?: string; compliance?: string; state?: string; limit?: number; json?: boolean }) => {
        const query = {
          ...(o.search ? { q: o.search } : {}),
          ...(o.compliance ? { compliance: o.compliance as Device['compliance'] } : {}),
          ...(o.state ? { state: o.state as Device['state'] } : {}),
          ...(o.limit ? { limit: o.limit } : {}),
        };
        const r = await unwrap(api().GET('/api/v1/devices', { params: { query } }));
        print(r, !!o.json, () => devicesText(r.devices, r.total));
      },
    );
}

function show(devices: Command, { api, print }: CliContext): void {
  devices
    .command('show <id>')
    .description('a handset: attestation facts, certificates, compliance')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const d = await unwrap(api().GET('/api/v1/devices/{id}', { params: { path: { id } } }));
      print(d, !!o.json, () =>
        [
          devicesText([d], 1).split('\n')[0],
          `  enrolled ${when(d.enrolledAt)}, attested ${when(d.lastAttestedAt)}, last check-in ${when(d.lastCheckInAt)}`,
          `  compliance: ${d.compliance}${d.complianceReasons.length ? ` (${d.complianceReasons.join(', ')})` : ''}`,
          ...d.certificates.map(
            (c) =>
              `  certificate ${c.serial}  ${c.status}  until ${when(c.notAfter)}${c.revocationReason ? `  (${c.revocationReason})` : ''}`,
          ),
          `  attestation: ${JSON.stringify(d.attestation)}`,
          '',
        ].join('\n'),
      );
    });
}

function retire(devices: Command, { api, print }: CliContext): void {
  devices
    .command('retire <id>')
    .description('retire a handset for good: its certificates are revoked (device-admin; audited)')
    .requiredOption('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { reason: string; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/devices/{id}/retire', { params: { path: { id } }, body: { reason: o.reason } }),
      );
      print(
        r,
        !!o.json,
        () => `${r.id} retired; revoked certificates: ${r.revokedCertificates.join(', ') || 'none'}\n`,
      );
    });
}

function lost(devices: Command, { api, print }: CliContext): void {
  devices
    .command('lost')
    .description(
      'declare a handset lost: its certificates are revoked (CRL) and its SIM barred; a found handset is enrolled again (device-admin; audited)',
    )
    .requiredOption('--device <id>', 'the device id')
    .option('--reason <text>', 'why (kept in the audit log)')
    .option('--json', 'print JSON')
    .action(async (o: { device: string; reason?: string; json?: boolean }) => {
      const r = await unwrap(
        api().POST('/api/v1/devices/{id}/lost', {
          params: { path: { id: o.device } },
          body: o.reason ? { reason: o.reason } : {},
        }),
      );
      print(
        r,
        !!o.json,
        () => `${r.id} lost; revoked certificates: ${r.revokedCertificates.join(', ') || 'none'}\n`,
      );
    });
}

/** Offline: installs a copy of Google's attestation/status JSON as the server's mirror (no network call). */
function attestationStatus(devices: Command, { io }: CliContext): void {
  devices
    .command('attestation-status')
    .description("the local mirror of Google's attestation revocation list")
    .command('refresh')
    .description('install a status list file (attestation/status JSON) as the mirror the server reads')
    .requiredOption('--file <status.json>', 'the list, downloaded where the network allows it')
    .action(async (o: { file: string }) => {
      const { parseRevocationList, RevocationListError } = await import('@pakawaaz/device-mgmt/attestation');
      let entries: number;
      try {
        entries = parseRevocationList(JSON.parse(readFileSync(o.file, 'utf8')) as unknown).size;
      } catch (err) {
        if (err instanceof RevocationListError || err instanceof SyntaxError)
          throw new CliError(`${o.file} is not a status list: ${err.message}`, 1);
        throw new CliError(`cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 1);
      }
      const target = path.resolve(
        io.env.PAKAWAAZ_ATTESTATION_STATUS_FILE ||
          path.join(io.env.PAKAWAAZ_DATA_DIR || '.pakawaaz', 'attestation', 'status.json'),
      );
      mkdirSync(path.dirname(target), { recursive: true });
      // Atomic: the server re-reads the file when it changes and must never see half of it.
      copyFileSync(o.file, `${target}.tmp`);
      renameSync(`${target}.tmp`, target);
      io.stdout(`installed ${entries} revocation entr${entries === 1 ? 'y' : 'ies'} as ${target}\n`);
    });
}

/** Subcommands of `devices`, in --help order; each slice adds its own entries. */
const SUBCOMMANDS: readonly ((devices: Command, ctx: CliContext) => void)[] = [
  list,
  show,
  retire,
  lost,
  tokenCreate,
  tokenList,
  attestationStatus,
];

export const registerDeviceCommands: RegisterCommands = (program, ctx) => {
  const devices = program.command('devices').description('hardened handsets: enrolment, commands, policies');
  for (const add of SUBCOMMANDS) add(devices, ctx);
};
