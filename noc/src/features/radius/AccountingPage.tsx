import { keepPreviousData } from '@tanstack/react-query';
import { useMemo, type FormEvent } from 'react';
import type { Schemas } from '../../api/client';
import { Field } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { ReadFailure } from '../../components/QueryStatus';
import { useApiQuery } from '../../data/hooks';
import { useUrlFilters } from '../../data/url-filters';
import { formatBytes, formatCount, formatDateTime, formatDuration } from '../../format';
import { Link } from '../../router';
import { radiusQueries, SINCE, type AccountingFilters } from './queries';

type AccountingRecord = Schemas['AccountingRecord'];

const NO_FILTERS: AccountingFilters = { imsi: '', user: '', since: '24h' };

/** Acct-Status-Type as the server stores it (RFC 2866 §5.1), in the words of the RFC. */
const STATUS: Record<string, { label: string; tone: string }> = {
  start: { label: 'Start', tone: 'good' },
  'interim-update': { label: 'Interim update', tone: 'neutral' },
  stop: { label: 'Stop', tone: 'warn' },
  'accounting-on': { label: 'NAS on', tone: 'neutral' },
  'accounting-off': { label: 'NAS off', tone: 'neutral' },
};

/** `idle-timeout` → `Idle timeout` (RFC 2866 §5.10's names, as the server stores them). */
const causeText = (cause: string): string => {
  const words = cause.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * Sessions still open among the records shown: the newest record of each Acct-Session-Id is not a Stop
 * (RFC 2866 §5.1). Only what the page holds — an old session whose Start is outside the window is not here.
 */
export function openSessions(records: readonly AccountingRecord[]): number {
  const newest = new Map<string, AccountingRecord>();
  for (const r of records) {
    const key = `${r.clientId}/${r.acctSessionId}`;
    const seen = newest.get(key);
    if (!seen || seen.eventAt < r.eventAt) newest.set(key, r);
  }
  return [...newest.values()].filter((r) => r.statusType === 'start' || r.statusType === 'interim-update')
    .length;
}

/**
 * RADIUS accounting as the NAS reported it (RFC 2866: Start, Interim-Update, Stop): who was online, through
 * which NAS, with which address, for how long and how much traffic — newest first.
 */
export function AccountingPage() {
  const { filters, draft, setDraft, show: showFilters, href } = useUrlFilters(NO_FILTERS);
  const records = useApiQuery({ ...radiusQueries.accounting(filters), placeholderData: keepPreviousData });
  const clients = useApiQuery(radiusQueries.clients());
  const nasName = useMemo(
    () => new Map((clients.data?.clients ?? []).map((c) => [c.id, c.name])),
    [clients.data],
  );
  const rows = records.data?.records;

  const show = (next: AccountingFilters): void => showFilters(next, records.refresh);
  const apply = (event: FormEvent): void => {
    event.preventDefault();
    show(draft);
  };

  return (
    <>
      <PageHeader
        title="RADIUS accounting"
        subtitle={
          <>
            Sessions as the NAS reported them: start, interim updates and stop, with address, duration and
            traffic. Newest first.
          </>
        }
        onRefresh={records.refresh}
        refreshing={records.fetching}
      />

      <form className="filters" onSubmit={apply} aria-label="Filters">
        <Field id="acct-imsi" label="IMSI" inline>
          <input
            id="acct-imsi"
            type="search"
            inputMode="numeric"
            pattern="\d{6,15}"
            title="6 to 15 digits"
            autoComplete="off"
            value={draft.imsi}
            onChange={(e) => setDraft({ ...draft, imsi: e.target.value })}
          />
        </Field>
        <Field id="acct-since" label="Time" inline>
          <select
            id="acct-since"
            value={draft.since}
            onChange={(e) => setDraft({ ...draft, since: e.target.value })}
          >
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
        {filters.user ? (
          <button
            type="button"
            className="button button-secondary"
            onClick={() => show({ ...filters, user: '' })}
          >
            All users
          </button>
        ) : null}
      </form>

      <ReadFailure
        error={records.error}
        hasData={records.data !== undefined}
        updatedAt={records.updatedAt}
        title="Could not load the accounting records"
        onRetry={records.refresh}
      />
      {rows && rows.length > 0 ? (
        <p className="muted" role="status">
          {formatCount(rows.length)} records, {formatCount(openSessions(rows))} sessions still open among them
          {rows.length >= 500 ? ' (the newest 500: narrow the time or give an IMSI)' : ''}.
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table" aria-busy={records.fetching}>
          <caption className="visually-hidden">Accounting records</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Record</th>
              <th scope="col">User</th>
              <th scope="col">NAS</th>
              <th scope="col">Address</th>
              <th scope="col">Duration</th>
              <th scope="col">Traffic in / out</th>
              <th scope="col">Cause</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{formatDateTime(r.eventAt)}</td>
                <td>
                  <span className={`pill pill-${STATUS[r.statusType]?.tone ?? 'neutral'}`}>
                    {STATUS[r.statusType]?.label ?? r.statusType}
                  </span>
                </td>
                <td>
                  {r.userId ? (
                    <Link
                      to={href({ ...filters, user: r.userId })}
                      aria-label={`Only ${r.username ?? 'this user'}`}
                    >
                      {r.username ?? 'user'}
                    </Link>
                  ) : (
                    (r.username ?? <span className="muted">—</span>)
                  )}
                  {r.imsi ? (
                    <>
                      {' '}
                      <code className="muted">IMSI {r.imsi}</code>
                    </>
                  ) : null}
                </td>
                <td>
                  {nasName.get(r.clientId) ?? r.nasIdentifier ?? 'NAS'}
                  {r.nasIp ? (
                    <>
                      {' '}
                      <code className="muted">{r.nasIp}</code>
                    </>
                  ) : null}
                </td>
                <td>{r.framedIp ? <code>{r.framedIp}</code> : <span className="muted">—</span>}</td>
                <td className="nowrap">
                  {r.sessionTimeSeconds === null ? '—' : formatDuration(r.sessionTimeSeconds)}
                </td>
                <td className="nowrap">
                  {r.inputOctets === null && r.outputOctets === null
                    ? '—'
                    : `${formatBytes(r.inputOctets ?? 0)} / ${formatBytes(r.outputOctets ?? 0)}`}
                </td>
                <td>{r.terminateCause ? causeText(r.terminateCause) : <span className="muted">—</span>}</td>
              </tr>
            ))}
            {rows && rows.length === 0 ? (
              <tr>
                <td colSpan={8} className="muted">
                  No accounting records match. A NAS sends them only when its accounting points at this
                  server&apos;s accounting port.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
