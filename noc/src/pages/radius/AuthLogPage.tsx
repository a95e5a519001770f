import { useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDateTime } from '../../format';
import { useLoad } from './useLoad';

type AuthEvent = Schemas['AuthEvent'];
type Filters = { channel: string; result: string; user: string; nas: string; since: string };

const SINCE: readonly { value: string; label: string; ms: number }[] = [
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: 'all', label: 'Everything kept', ms: 0 },
];
const EMPTY: Filters = { channel: '', result: '', user: '', nas: '', since: '24h' };

/** The filters in the page address, so that a diagnosis can be linked ("this user's rejects"). */
function fromSearch(): Filters {
  const q = new URLSearchParams(window.location.search);
  return {
    channel: q.get('channel') ?? '',
    result: q.get('result') ?? '',
    user: q.get('user') ?? '',
    nas: q.get('nas') ?? '',
    since: q.get('since') ?? '24h',
  };
}

function query(f: Filters) {
  const ms = SINCE.find((s) => s.value === f.since)?.ms ?? 0;
  return {
    limit: 200,
    ...(f.channel ? { channel: f.channel as AuthEvent['channel'] } : {}),
    ...(f.result ? { result: f.result as AuthEvent['result'] } : {}),
    ...(f.user.trim() ? { user: f.user.trim() } : {}),
    ...(f.nas.trim() ? { nas: f.nas.trim() } : {}),
    ...(ms ? { since: new Date(Date.now() - ms).toISOString() } : {}),
  };
}

const TONE: Record<AuthEvent['result'], string> = { accept: 'good', reject: 'bad', drop: 'warn' };

/**
 * The sign-in log (FreeRADIUS's post-auth log, Keycloak's login events): every RADIUS accept, reject and
 * drop and every HTTP sign-in step, with the reason the reply to the user never says.
 */
export function AuthLogPage() {
  const [filters, setFilters] = useState<Filters>(fromSearch);
  const [draft, setDraft] = useState<Filters>(filters);
  const key = JSON.stringify(filters);
  const { data, error, loading, reload } = useLoad(
    (signal) => unwrap(api.GET('/api/v1/auth-events', { params: { query: query(filters) }, signal })),
    key,
  );

  const apply = (event: FormEvent): void => {
    event.preventDefault();
    setFilters(draft);
    const kept = Object.entries(draft).filter(([k, v]) => v !== '' && !(k === 'since' && v === EMPTY.since));
    const search = new URLSearchParams(kept).toString();
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
  };
  const field = (name: keyof Filters) => ({
    id: `log-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Sign-in log</h1>
          <p className="page-subtitle muted">
            Why a sign-in failed: RADIUS (Wi-Fi, VPN) and NOC/app sign-ins, newest first. The user and the NAS
            only ever hear “failed”; the reason is here.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button button-secondary" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>

      <form className="filters" onSubmit={apply} aria-label="Filters">
        <div className="field field-inline">
          <label htmlFor="log-user">User</label>
          <input type="search" autoComplete="off" spellCheck={false} {...field('user')} />
        </div>
        <div className="field field-inline">
          <label htmlFor="log-nas">NAS</label>
          <input type="search" autoComplete="off" spellCheck={false} {...field('nas')} />
        </div>
        <div className="field field-inline">
          <label htmlFor="log-channel">Way in</label>
          <select {...field('channel')}>
            <option value="">All</option>
            <option value="radius">RADIUS</option>
            <option value="http">NOC and apps (HTTP)</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="log-result">Result</label>
          <select {...field('result')}>
            <option value="">All</option>
            <option value="accept">Accepted</option>
            <option value="reject">Rejected</option>
            <option value="drop">Dropped</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="log-since">Time</label>
          <select {...field('since')}>
            {SINCE.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Show
        </button>
      </form>

      {error ? <ErrorNotice error={error} title="Could not load the sign-in log" /> : null}
      <div className="table-wrap">
        <table className="table" aria-busy={loading}>
          <caption className="visually-hidden">Sign-in events</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Via</th>
              <th scope="col">User</th>
              <th scope="col">Method</th>
              <th scope="col">Result</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {(data?.events ?? []).map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{formatDateTime(e.at)}</td>
                <td>
                  {e.channel === 'radius' ? (e.clientName ?? 'unknown NAS') : 'HTTP'}
                  {e.source ? (
                    <>
                      {' '}
                      <code className="muted">{e.source}</code>
                    </>
                  ) : null}
                </td>
                <td>
                  {e.username ?? <span className="muted">—</span>}
                  {e.imsi ? (
                    <>
                      {' '}
                      <code className="muted">IMSI {e.imsi}</code>
                    </>
                  ) : null}
                </td>
                <td>{e.method ?? <span className="muted">—</span>}</td>
                <td>
                  <span className={`pill pill-${TONE[e.result]}`}>{e.result}</span>
                </td>
                <td title={e.reason}>
                  {e.reasonText}
                  {e.count > 1 ? <span className="muted"> (×{e.count})</span> : null}
                </td>
              </tr>
            ))}
            {data && data.events.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No sign-in events match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
