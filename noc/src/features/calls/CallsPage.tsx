import { usePermissions } from '../../auth/permissions';
import { ReadFailure, RefreshStatus } from '../../components/QueryStatus';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { CallHistory } from './CallHistory';
import { callsQueries, type CallsStatus, type MediaHost } from './queries';
import { TurnPanel } from './TurnPanel';

const POLL_MS = 5_000;

/**
 * Calls: whether they work, the media hosts (Janus) with their health and live calls, TURN, the history. The
 * infrastructure parts are national (status: media-admin and viewer; hosts: media-admin); the history is also
 * an institution's (its officials' calls): each part shows to whoever may read it.
 */
export function CallsPage() {
  const { can } = usePermissions();
  const readStatus = can('GET /api/v1/calls/status');
  const readHosts = can('GET /api/v1/calls/media-hosts');
  const status = useApiQuery(callsQueries.status(), { pollMs: POLL_MS, enabled: readStatus });
  const hosts = useApiQuery(callsQueries.hosts(), { pollMs: POLL_MS, enabled: readHosts });
  return (
    <>
      <div className="page-header">
        <h1>Calls</h1>
        {readStatus ? (
          <RefreshStatus
            updatedAt={status.updatedAt}
            loading={status.loading}
            fetching={status.fetching || hosts.fetching}
            pollMs={POLL_MS}
            onRefresh={() => {
              status.refresh();
              if (readHosts) hosts.refresh();
            }}
          />
        ) : null}
      </div>
      <ReadFailure
        error={status.error ?? hosts.error}
        hasData={status.data !== undefined}
        updatedAt={status.updatedAt}
        title="Calls status unavailable"
        onRetry={status.refresh}
      />
      {status.data ? <StatusCards status={status.data} /> : null}
      {status.data ? <TurnPanel turn={status.data.turn} /> : null}
      {hosts.data ? <HostsTable hosts={hosts.data.hosts} /> : null}
      <CallHistory />
    </>
  );
}

function StatusCards({ status }: { status: CallsStatus }) {
  return (
    <div className="cards">
      <section className="card" aria-labelledby="card-calls">
        <h2 id="card-calls">Calls</h2>
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <StatusPill value={status.calls} tone={status.calls === 'available' ? 'good' : 'bad'} />
            {status.reason ? <> {status.reason}</> : null}
          </dd>
          <dt>Media hosts up</dt>
          <dd>
            {status.hosts.up} of {status.hosts.total}
          </dd>
          <dt>Live calls</dt>
          <dd>{status.hosts.liveRooms}</dd>
          <dt>Embedded Janus</dt>
          <dd>
            {status.embeddedJanus.state}
            {status.embeddedJanus.detail ? ` (${status.embeddedJanus.detail})` : ''}
          </dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="card-turn">
        <h2 id="card-turn">TURN</h2>
        <dl className="facts">
          <dt>Status</dt>
          <dd>
            <StatusPill
              value={turnSummary(status.turn)}
              tone={
                !status.turn.configured
                  ? 'warn'
                  : status.turn.servers.some((s) => s.health === 'down' || s.health === 'degraded')
                    ? 'bad'
                    : 'good'
              }
            />
          </dd>
          <dt>Servers up</dt>
          <dd>
            {status.turn.servers.filter((s) => s.health === 'up').length} of {status.turn.servers.length}
          </dd>
        </dl>
      </section>
    </div>
  );
}

function turnSummary(turn: CallsStatus['turn']): string {
  if (!turn.configured) return 'not configured';
  const bad = turn.servers.filter((s) => s.health === 'down' || s.health === 'degraded').length;
  return bad ? `${bad} not working` : 'working';
}

function HostsTable({ hosts }: { hosts: MediaHost[] }) {
  return (
    <section aria-labelledby="media-hosts">
      <h2 id="media-hosts">Media hosts</h2>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Health</th>
            <th>Calls / capacity</th>
            <th>Sessions</th>
            <th>WebSocket</th>
            <th>Janus</th>
            <th>Checked</th>
          </tr>
        </thead>
        <tbody>
          {hosts.length === 0 ? (
            <tr>
              <td colSpan={7}>No media host: install Janus (apt-get install janus) or register one.</td>
            </tr>
          ) : (
            hosts.map((h) => (
              <tr key={h.id}>
                <td>
                  {h.name}
                  {h.embedded ? ' (embedded)' : ''}
                </td>
                <td>
                  <StatusPill value={h.health} label={h.healthDetail ?? undefined} />
                </td>
                <td>
                  {h.rooms} / {h.capacity}
                </td>
                <td>{h.sessions ?? '—'}</td>
                <td className="break">
                  <code>{h.wsUrl}</code>
                </td>
                <td>{h.janusVersion ?? '—'}</td>
                <td>{h.checkedAt ? formatDateTime(h.checkedAt) : '—'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </section>
  );
}
