import type { Schemas } from '../../api/client';
import { StatusPill } from '../../components/StatusPill';
import { formatCount, formatDateTime, formatDuration } from '../../format';
import type { SystemStatus } from './queries';

type DomainStatus = Schemas['DomainStatus'];
type DeadLetters = SystemStatus['eventBus']['deadLetters'];

export function SystemDetails({ status, stale }: { status: SystemStatus; stale: boolean }) {
  const { database, eventBus } = status;
  return (
    <div className={stale ? 'stale' : undefined}>
      <div className="cards">
        <section className="card" aria-labelledby="card-process">
          <h2 id="card-process">Process</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd>
              <code>{status.version}</code>
            </dd>
            <dt>Uptime</dt>
            <dd>{formatDuration(status.uptimeSeconds)}</dd>
            <dt>Started</dt>
            <dd>
              <time dateTime={status.startedAt}>{formatDateTime(status.startedAt)}</time>
            </dd>
            <dt>Node.js</dt>
            <dd>
              <code>{status.nodeVersion}</code>
            </dd>
            {status.process.count > 1 && (
              <>
                <dt>Server process</dt>
                <dd>
                  {status.process.index + 1} of {status.process.count} on this host (pid {status.process.pid}
                  {status.process.index === 0 ? '; runs RADIUS, the MQTT broker and Janus' : ''})
                </dd>
              </>
            )}
            <dt>Device port</dt>
            <dd className="break">
              {status.devicePort.open ? (
                <>
                  <code>{status.devicePort.url}</code> (mutual TLS)
                </>
              ) : (
                status.devicePort.detail
              )}
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="card-database">
          <h2 id="card-database">Database</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusPill value={database.status} />
            </dd>
            <dt>Mode</dt>
            <dd>{database.mode}</dd>
            <dt>Location</dt>
            <dd className="break">
              <code>{database.location}</code>
            </dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="card-events">
          <h2 id="card-events">Event bus</h2>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusPill value={eventBus.status} />
            </dd>
            <dt>Mode</dt>
            <dd>{eventBus.mode}</dd>
            {eventBus.detail ? (
              <>
                <dt>Detail</dt>
                <dd className="break">{eventBus.detail}</dd>
              </>
            ) : null}
            <dt>Dead letters</dt>
            <dd>
              <DeadLetterCount deadLetters={eventBus.deadLetters} />
            </dd>
          </dl>
        </section>
      </div>

      {eventBus.deadLetters.total > 0 ? <DeadLetterTable deadLetters={eventBus.deadLetters} /> : null}

      <section aria-labelledby="domains-heading">
        <h2 id="domains-heading">Domains</h2>
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Status</th>
                <th scope="col">Health</th>
                <th scope="col">Schema</th>
                <th scope="col" className="num">
                  Migrations
                </th>
              </tr>
            </thead>
            <tbody>
              {status.domains.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No domains reported.
                  </td>
                </tr>
              ) : (
                status.domains.map((domain) => <DomainRow key={domain.name} domain={domain} />)
              )}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** What each state means to an operator: running here, running on other nodes, or not built yet. */
const DOMAIN_STATE = {
  active: { text: 'running', tone: 'good', hint: 'Serves its features on this node' },
  'not-served': {
    text: 'not on this node',
    tone: 'neutral',
    hint: 'Built, but this node does not serve it (PAKAWAAZ_DOMAINS); another node may',
  },
  planned: {
    text: 'planned',
    tone: 'neutral',
    hint: 'Its module and database schema exist; its features arrive later',
  },
} as const;

function DomainRow({ domain }: { domain: DomainStatus }) {
  const { applied, available } = domain.migrations;
  const pending = available - applied;
  return (
    <tr>
      <th scope="row">{domain.name}</th>
      <td>
        <StatusPill
          value={DOMAIN_STATE[domain.status].text}
          tone={DOMAIN_STATE[domain.status].tone}
          label={DOMAIN_STATE[domain.status].hint}
        />
      </td>
      <td>
        {domain.status === 'planned' ? (
          <StatusPill
            value={domain.health === 'up' ? 'schema ready' : 'schema missing'}
            tone={domain.health === 'up' ? 'neutral' : 'bad'}
          />
        ) : (
          <StatusPill value={domain.health} />
        )}
      </td>
      <td>
        <code>{domain.schema}</code>
      </td>
      <td className="num">
        {applied} / {available}
        {pending > 0 ? (
          <>
            {' '}
            <StatusPill value={`${pending} pending`} tone="warn" />
          </>
        ) : null}
      </td>
    </tr>
  );
}

/** Events a consumer gave up on: a warning while any arrived in the last 24 hours. */
function DeadLetterCount({ deadLetters }: { deadLetters: DeadLetters }) {
  if (deadLetters.total === 0) return <StatusPill value="none" tone="good" />;
  return (
    <>
      <StatusPill
        value={`${formatCount(deadLetters.last24h)} in 24 h`}
        tone={deadLetters.last24h > 0 ? 'warn' : 'neutral'}
      />{' '}
      {formatCount(deadLetters.total)} in all
    </>
  );
}

function DeadLetterTable({ deadLetters }: { deadLetters: DeadLetters }) {
  return (
    <section aria-labelledby="dead-letters-heading">
      <h2 id="dead-letters-heading">Dead letters</h2>
      <p className="hint">
        Events a consumer gave up on: a payload that failed its schema, a message that is not an event, or a
        handler that kept failing. They were not applied. Each payload is kept as received in the database
        table <code>platform.dead_letters</code>, never shown here; the latest ten are listed.
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Consumer</th>
              <th scope="col">Event type</th>
              <th scope="col">Kind</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {deadLetters.latest.map((d) => (
              <tr key={d.id}>
                <td>
                  <time dateTime={d.receivedAt}>{formatDateTime(d.receivedAt)}</time>
                </td>
                <td>
                  <code>{d.consumer}</code>
                </td>
                <td>
                  <code>{d.type}</code>
                </td>
                <td>
                  <StatusPill value={d.kind} tone="warn" />
                </td>
                <td className="break">{d.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
