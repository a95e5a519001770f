import type { Command } from 'commander';
import { unwrap, type Schemas } from '../api-client.js';
import type { RegisterCommands } from '../context.js';

type NetworkHealth = Schemas['NetworkHealth'];
type Alarm = Schemas['NetworkAlarm'];

/** Network health and alarms (Open5GS NF monitoring). */
export const registerNetworkHealthCommands: RegisterCommands = (program, { io, api, print }) => {
  subcommand(program, 'network', 'the private LTE/5G core (Open5GS)')
    .command('health')
    .description('status of every monitored NF: up/down, last scrape, latest KPIs, alarms')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await unwrap(api().GET('/api/v1/network/health'));
      print(r, !!o.json, () => formatHealth(r));
    });

  const alarms = subcommand(program, 'alarms', 'alarms raised by the network health monitor');
  alarms
    .command('list')
    .description('open alarms, newest first')
    .option('--all', 'include cleared alarms')
    .option('--json', 'print JSON')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const r = await unwrap(
        api().GET('/api/v1/network/alarms', { params: { query: { state: o.all ? 'all' : 'open' } } }),
      );
      print(r, !!o.json, () => formatAlarms(r.alarms, !!o.all));
    });
  alarms
    .command('ack <id>')
    .description('acknowledge an alarm (network-admin); acknowledging twice changes nothing')
    .action(async (id: string) => {
      const a = await unwrap(
        api().POST('/api/v1/network/alarms/{id}/acknowledge', { params: { path: { id } } }),
      );
      io.stdout(
        `acknowledged ${a.id} (${a.kind} on ${a.nf}) by ${a.acknowledgedBy} at ${a.acknowledgedAt}\n`,
      );
    });
};

/** Another module may already have created `network` (e.g. `network apply`): add to it, do not shadow it. */
function subcommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

/** KPIs worth a glance, in the order an operator reads them. */
const KPI_LABELS: readonly [string, string, (v: number) => string][] = [
  ['gnbs_connected', 'gNBs', String],
  ['enbs_connected', 'eNBs', String],
  ['registered_ues', 'registered UEs', String],
  ['enb_ues', 'LTE UEs', String],
  ['registration_success_ratio', 'reg. success', percent],
  ['auth_failure_ratio', 'auth failures', percent],
  ['pdu_sessions_active', 'PDU sessions', String],
  ['pdu_session_success_ratio', 'PDU success', percent],
  ['upf_sessions', 'sessions', String],
  ['n3_packets_in_per_s', 'N3 in', (v) => `${v.toFixed(0)} pkt/s`],
  ['n3_packets_out_per_s', 'N3 out', (v) => `${v.toFixed(0)} pkt/s`],
];

function percent(v: number): string {
  return `${(v * 100).toFixed(1)}%`;
}

function formatHealth(r: NetworkHealth): string {
  const head =
    `monitor ${r.monitoring ? `running every ${r.intervalMs / 1000} s` : 'stopped'}` +
    `, last round ${r.lastRoundAt ?? 'never'}${r.simulated ? '  [SIMULATED NFs present]' : ''}\n`;
  if (r.nfs.length === 0) return `${head}no NFs configured\n`;
  const width = Math.max(4, ...r.nfs.map((n) => n.name.length));
  const rows = r.nfs.map((n) => {
    const detail =
      n.status === 'down'
        ? `${n.lastError ?? 'no answer'} (${n.consecutiveFailures} failed)`
        : KPI_LABELS.filter(([k]) => n.kpis[k] !== undefined)
            .map(([k, label, fmt]) => `${label} ${fmt(n.kpis[k] ?? 0)}`)
            .join(' · ');
    const alarms = n.activeAlarms.length > 0 ? `  ALARMS: ${n.activeAlarms.join(', ')}` : '';
    const sim = n.simulated ? ' (sim)' : '';
    return `${n.name.padEnd(width)}  ${n.nf.padEnd(4)}  ${n.status.toUpperCase().padEnd(7)}  ${detail}${sim}${alarms}`;
  });
  return `${head}${'NF'.padEnd(width)}  TYPE  STATUS   KPIs\n${rows.join('\n')}\n`;
}

function formatAlarms(alarms: Alarm[], all: boolean): string {
  if (alarms.length === 0) return all ? 'no alarms\n' : 'no open alarms\n';
  return (
    alarms
      .map((a) => {
        const ack = a.acknowledgedBy ? `ack by ${a.acknowledgedBy}` : 'unacknowledged';
        return `${a.id}  ${a.state.toUpperCase().padEnd(7)}  ${a.severity.padEnd(8)}  ${a.kind.padEnd(20)}  ${a.nf}  ${a.raisedAt}  ${ack}\n    ${a.message}`;
      })
      .join('\n') + '\n'
  );
}
