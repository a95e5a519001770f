import { readFile } from 'node:fs/promises';
import { unwrap } from '../api-client.js';
import { positiveInt, type RegisterCommands } from '../context.js';
import { printable } from './radius-log.js';

type CallRecord = {
  startedAt: string;
  kind: string;
  outcome: string | null;
  endReason: string | null;
  durationSeconds: number | null;
  participants: number;
  rang: number;
  mediaHost: string | null;
  caller: Person;
  people: Person[];
};
type Person = { userId: string; username: string | null; displayName: string | null };

/** A person by name (the directory's), their id only when the directory does not know them. */
const nameOf = (p: Person) =>
  printable(p.displayName ? `${p.displayName} (${p.username})` : (p.username ?? p.userId));
const duration = (s: number | null) =>
  s === null ? '-' : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;

/** One call record as a line: when, kind, outcome, duration, who called, who joined, where. */
export function callLine(c: CallRecord): string {
  const joined = c.people.filter((p) => p.userId !== c.caller.userId).map(nameOf);
  return [
    c.startedAt.slice(0, 19).replace('T', ' '),
    c.kind.padEnd(5),
    (c.outcome ?? (c.endReason ? 'ended' : 'live')).padEnd(9),
    duration(c.durationSeconds).padStart(7),
    `${nameOf(c.caller)} → ${joined.length ? joined.join(', ') : '-'}`,
    `(${c.participants} joined, ${c.rang} rung${c.mediaHost ? `, ${printable(c.mediaHost)}` : ''})`,
  ].join('  ');
}

type TurnServer = {
  server: string;
  health: string;
  rttMs: number | null;
  checkedAt: string | null;
  error: string | null;
};

/** One TURN server's health as a line; its error (which may quote the TURN server) with controls escaped. */
export const turnServerLine = (t: TurnServer): string =>
  `  ${printable(t.server)}: ${t.health}${t.rttMs === null ? '' : `, ${t.rttMs} ms`}` +
  `${t.checkedAt ? `, checked ${t.checkedAt}` : ''}${t.error ? ` (${printable(t.error)})` : ''}`;

/** Calls: whether they work, the media hosts (Janus) they run on, and the call records. */
export const registerCallsCommands: RegisterCommands = (program, { api, io, print }) => {
  const calls = program.command('calls').description('calls: media hosts (Janus), TURN and call records');
  calls
    .command('status')
    .description('whether calls work now, and why not (no media host up, TURN not configured)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const s = await unwrap(api().GET('/api/v1/calls/status'));
      print(s, !!o.json, () =>
        [
          `calls: ${s.calls}${s.reason ? ` (${s.reason})` : ''}`,
          `media hosts: ${s.hosts.up} of ${s.hosts.total} up, ${s.hosts.liveRooms} live calls`,
          `embedded Janus: ${s.embeddedJanus.state}${s.embeddedJanus.detail ? ` (${s.embeddedJanus.detail})` : ''}`,
          `TURN: ${s.turn.configured ? s.turn.urls.join(' ') : 'not configured'}`,
          ...s.turn.servers.map(turnServerLine),
          ...s.turn.unprobed.map((u) => `  ${u}: not probed`),
          '',
        ].join('\n'),
      );
    });
  calls
    .command('history')
    .description('call records, newest first: who called whom, how it ended, how long (never content)')
    .option('--official <username>', 'calls this official placed, was rung for or joined')
    .option('--outcome <outcome>', 'answered, missed, declined, cancelled or busy')
    .option('--from <iso>', 'started at or after')
    .option('--to <iso>', 'started before')
    .option('--institution <id>', "calls involving this institution's officials")
    .option('--before <cursor>', "the previous page's next cursor")
    .option('--limit <n>', 'calls per page (≤ 200)', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(
      async (o: {
        official?: string;
        outcome?: 'answered' | 'missed' | 'declined' | 'cancelled' | 'busy';
        from?: string;
        to?: string;
        institution?: string;
        before?: string;
        limit: number;
        json?: boolean;
      }) => {
        const { json, ...query } = o;
        const r = await unwrap(api().GET('/api/v1/calls/history', { params: { query } }));
        print(r, !!json, () =>
          r.calls.length === 0
            ? 'no calls\n'
            : r.calls.map(callLine).join('\n') +
              (r.nextBefore ? `\nmore: --before ${r.nextBefore}` : '') +
              '\n',
        );
      },
    );
  const hosts = calls.command('hosts').description('media hosts: the Janus instances calls are placed on');
  hosts
    .command('list')
    .description('media hosts with their health and live calls (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/calls/media-hosts'));
      print(
        r,
        !!o.json,
        () =>
          r.hosts
            .map(
              (h) =>
                `${h.name.padEnd(20)}  ${h.health.padEnd(7)}  ${`${h.rooms}/${h.capacity}`.padEnd(9)}  ${h.wsUrl}` +
                (h.healthDetail ? `  (${h.healthDetail})` : ''),
            )
            .join('\n') + '\n',
      );
    });
  hosts
    .command('add')
    .description('register a Janus: its admin API must answer with the secret (stored sealed)')
    .requiredOption('--name <name>', 'a name for the host, e.g. janus-isb-1')
    .requiredOption(
      '--ws-url <url>',
      "Janus's WebSocket API as clients reach it, e.g. wss://media1.example:8989",
    )
    .requiredOption('--admin-url <url>', "Janus's admin API, e.g. http://10.0.4.11:7088/admin")
    .requiredOption(
      '--admin-secret-file <file>',
      "a file holding Janus's admin_secret (never on the command line)",
    )
    .option('--capacity <rooms>', 'calls it holds at once', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(
      async (o: {
        name: string;
        wsUrl: string;
        adminUrl: string;
        adminSecretFile: string;
        capacity: number;
        json?: boolean;
      }) => {
        const adminSecret = (await readFile(o.adminSecretFile, 'utf8')).trim();
        const body = {
          name: o.name,
          wsUrl: o.wsUrl,
          adminUrl: o.adminUrl,
          adminSecret,
          capacity: o.capacity,
        };
        const h = await unwrap(api().POST('/api/v1/calls/media-hosts', { body }));
        print(h, !!o.json, () => `registered ${h.name} (${h.id})\n`);
      },
    );
  hosts
    .command('remove <name-or-id>')
    .description('remove a media host (refused while it holds live calls)')
    .action(async (id: string) => {
      await unwrap(api().DELETE('/api/v1/calls/media-hosts/{id}', { params: { path: { id } } }));
      io.stdout(`removed ${id}\n`);
    });
};
