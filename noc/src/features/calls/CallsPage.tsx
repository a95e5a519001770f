import { ReadFailure, RefreshStatus } from '../../components/QueryStatus';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { CallHistory } from './CallHistory';
import { callsQueries, type CallsStatus, type MediaHost } from './queries';

const POLL_MS = 5_000;

/** Calls: whether they work, the media hosts (Janus) with their health and live calls, TURN, the history. */
export function CallsPage() {
  const status = useApiQuery(callsQueries.status(), { pollMs: POLL_MS });
  const hosts = useApiQuery(callsQueries.hosts(), { pollMs: POLL_MS });
  return (
    <>
      <div className="page-header">
        <h1>Calls</h1>
        <RefreshStatus
          updatedAt={hosts.updatedAt}
          loading={hosts.loading}
          fetching={hosts.fetching}
          pollMs={POLL_MS}
          onRefresh={() => {
            status.refresh();
            hosts.refresh();
          }}
        />
      </div>
      <ReadFailure
        error={status.error ?? hosts.error}
        hasData={status.data !== undefined}
        updatedAt={status.updatedAt}
        title="Calls status unavailable"
        onRetry={status.refresh}
      />
      {status.data ? <StatusCards status={status.data} /> : null}
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
              value={status.turn.configured ? 'configured' : 'not configured'}
              tone={status.turn.configured ? 'good' : 'warn'}
            />
          </dd>
          <dt>Servers</dt>
          <dd className="break">{status.turn.urls.length ? status.turn.urls.join(', ') : '—'}</dd>
          <dt>Credentials valid</dt>
          <dd>{status.turn.ttlSeconds === null ? '—' : `${status.turn.ttlSeconds} s`}</dd>
        </dl>
      </section>
    </div>
  );
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
