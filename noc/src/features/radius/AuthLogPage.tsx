import { keepPreviousData } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import type { Schemas } from '../../api/client';
import { Field } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { ReadFailure } from '../../components/QueryStatus';
import { useApiQuery } from '../../data/hooks';
import { useUrlFilters } from '../../data/url-filters';
import { formatDateTime } from '../../format';
import { radiusQueries, SINCE, type LogFilters } from './queries';

type AuthEvent = Schemas['AuthEvent'];

const NO_FILTERS: LogFilters = { channel: '', result: '', user: '', nas: '', since: '24h' };

const TONE: Record<AuthEvent['result'], string> = { accept: 'good', reject: 'bad', drop: 'warn' };

/**
 * The sign-in log (FreeRADIUS's post-auth log, Keycloak's login events): every RADIUS accept, reject and
 * drop and every HTTP sign-in step, with the reason the reply to the user never says.
 */
export function AuthLogPage() {
  const { filters, draft, setDraft, show } = useUrlFilters(NO_FILTERS);
  // The last rows stay on screen (marked busy) while another filter loads.
  const log = useApiQuery({ ...radiusQueries.authEvents(filters), placeholderData: keepPreviousData });
  const events = log.data?.events;

  const apply = (event: FormEvent): void => {
    event.preventDefault();
    show(draft, log.refresh);
  };
  const field = (name: keyof LogFilters) => ({
    id: `log-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
  });

  return (
    <>
      <PageHeader
        title="Sign-in log"
        subtitle={
          <>
            Why a sign-in failed: RADIUS (Wi-Fi, VPN) and NOC/app sign-ins, newest first. The user and the NAS
            only ever hear “failed”; the reason is here.
          </>
        }
        onRefresh={log.refresh}
        refreshing={log.fetching}
      />

      <form className="filters" onSubmit={apply} aria-label="Filters">
        <Field id="log-user" label="User" inline>
          <input type="search" autoComplete="off" spellCheck={false} {...field('user')} />
        </Field>
        <Field id="log-nas" label="NAS" inline>
          <input type="search" autoComplete="off" spellCheck={false} {...field('nas')} />
        </Field>
        <Field id="log-channel" label="Way in" inline>
          <select {...field('channel')}>
            <option value="">All</option>
            <option value="radius">RADIUS</option>
            <option value="http">NOC and apps (HTTP)</option>
          </select>
        </Field>
        <Field id="log-result" label="Result" inline>
          <select {...field('result')}>
            <option value="">All</option>
            <option value="accept">Accepted</option>
            <option value="reject">Rejected</option>
            <option value="drop">Dropped</option>
          </select>
        </Field>
        <Field id="log-since" label="Time" inline>
          <select {...field('since')}>
            {SINCE.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button">
          Show
        </button>
      </form>

      <ReadFailure
        error={log.error}
        hasData={log.data !== undefined}
        updatedAt={log.updatedAt}
        title="Could not load the sign-in log"
        onRetry={log.refresh}
      />
      <div className="table-wrap">
        <table className="table" aria-busy={log.fetching}>
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
            {(events ?? []).map((e) => (
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
            {events && events.length === 0 ? (
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
