import type { paths } from '@pakawaaz/api-client';
import type { Command } from 'commander';
import { CliError, unwrap } from '../api-client.js';
import { positiveInt, type CliContext } from '../context.js';

export type AuthEventLine = {
  at: string;
  channel: string;
  result: string;
  reason: string;
  reasonText: string;
  method: string | null;
  username: string | null;
  imsi: string | null;
  clientName: string | null;
  source: string | null;
  count: number;
};

export type RadiusStatusReply = {
  listening: boolean;
  authPort: number | null;
  acctPort: number | null;
  stats: Record<string, unknown> | null;
  log: { queued: number; written: number; lost: number; writeFailures: number };
};

/**
 * Control characters (a terminal escape sequence in a user name a NAS sent) and bidirectional overrides
 * as visible escapes: what the server stores is untrusted text, and the terminal must not obey it.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** One line per event, FreeRADIUS post-auth style: time, NAS, result, method, user, reason. */
export function formatEvents(events: readonly AuthEventLine[]): string {
  if (!events.length) return 'no matching sign-in events\n';
  return (
    events
      .map((e) => {
        const who = [e.username ?? '-', e.imsi ? `imsi ${e.imsi}` : ''].filter(Boolean).join(' ');
        const repeated = e.count > 1 ? ` (×${e.count})` : '';
        const via =
          e.channel === 'radius'
            ? (e.clientName ?? `unknown NAS ${e.source ?? ''}`.trim())
            : `http ${e.source ?? ''}`.trim();
        return printable(
          `${e.at}  ${e.result.padEnd(6)}  ${via.padEnd(20)}  ${(e.method ?? '-').padEnd(8)}  ${who}  — ${e.reasonText}${repeated}`,
        );
      })
      .join('\n') + '\n'
  );
}

/** `radius status` for people: listening or not, then counters that are not zero. */
export function formatStatus(s: RadiusStatusReply): string {
  if (!s.listening) return 'RADIUS: not listening on this node (RADIUS_ENABLED=false)\n';
  const stats = s.stats ?? {};
  const n = (k: string): number => {
    const v = stats[k];
    return typeof v === 'number' ? v : 0;
  };
  const dropped = Object.entries((stats.dropped ?? {}) as Record<string, number>).filter(([, v]) => v > 0);
  const lines = [
    `RADIUS: listening on UDP ${s.authPort} (authentication) and ${s.acctPort} (accounting)`,
    `requests   ${n('received')} received: ${n('accepted')} accepted, ${n('rejected')} rejected, ${n('challenged')} challenged, ${n('discarded')} discarded, ${n('duplicates')} duplicates`,
    `accounting ${n('accounting')} records, ${n('statusServer')} Status-Server`,
    `dropped    ${dropped.length ? dropped.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}`,
    `auth log   ${s.log.written} written, ${s.log.queued} queued, ${s.log.lost} lost${s.log.writeFailures ? `, ${s.log.writeFailures} failed writes` : ''}`,
  ];
  return `${lines.join('\n')}\n`;
}

type EventQuery = NonNullable<paths['/api/v1/auth-events']['get']['parameters']['query']>;
const RESULTS: readonly string[] = ['accept', 'reject', 'drop'];

type LogOptions = {
  user?: string;
  nas?: string;
  result?: string;
  reason?: string;
  since?: string;
  limit: number;
  json?: boolean;
};

/** `radius log` (the authentication log) and `radius status`. */
export function registerRadiusLog(radius: Command, { api, print }: CliContext): void {
  radius
    .command('status')
    .description('listening ports, request counters and drops by reason')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r: RadiusStatusReply = await unwrap(api().GET('/api/v1/radius/status'));
      print(r, !!o.json, () => formatStatus(r));
    });
  radius
    .command('log')
    .description('authentication log: accepts, rejects and drops with their reason, newest first')
    .option('--user <name>', 'user name, EAP identity or user id')
    .option('--nas <name>', 'NAS client name or id')
    .option('--result <result>', 'accept, reject or drop')
    .option('--reason <code>', 'reason code, e.g. wrong_password')
    .option('--since <time>', 'ISO time or a duration back from now: 15m, 2h, 7d')
    .option('--limit <n>', 'how many', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (o: LogOptions) => {
      if (o.result && !RESULTS.includes(o.result))
        throw new CliError(`--result must be one of ${RESULTS.join(', ')}, not '${o.result}'`, 2);
      // The server checks reason codes and times and answers 400 naming the field.
      const query: EventQuery = {
        channel: 'radius',
        limit: o.limit,
        ...(o.user ? { user: o.user } : {}),
        ...(o.nas ? { nas: o.nas } : {}),
        ...(o.result ? { result: o.result as EventQuery['result'] } : {}),
        ...(o.reason ? { reason: o.reason as EventQuery['reason'] } : {}),
        ...(o.since ? { since: sinceTime(o.since) } : {}),
      };
      const r: { events: AuthEventLine[] } = await unwrap(
        api().GET('/api/v1/auth-events', { params: { query } }),
      );
      print(r, !!o.json, () => formatEvents(r.events));
    });
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `2h`, `7d` back from now; anything else is passed on as a time for the server to check. */
export function sinceTime(text: string, now = Date.now()): string {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  return m ? new Date(now - Number(m[1]) * UNITS[m[2]!]!).toISOString() : text;
}
