import { useState } from 'react';
import { ReadFailure } from '../../components/QueryStatus';
import { StatusPill } from '../../components/StatusPill';
import { useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { callsQueries, type CallRecord, type CallOutcome } from './queries';

const OUTCOMES: CallOutcome[] = ['answered', 'missed', 'declined', 'cancelled', 'busy'];

const person = (p: CallRecord['caller']) =>
  p.displayName ? `${p.displayName} (${p.username})` : (p.username ?? p.userId);
const duration = (s: number | null) =>
  s === null ? '—' : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
const tone = (o: CallRecord['outcome']) =>
  o === 'answered' ? 'good' : o === 'missed' || o === 'busy' ? 'warn' : undefined;

/**
 * Call records, newest first (metadata only: who called whom, how it ended, for how long, where): every call
 * for national operators, the calls involving their institution's officials for an institution's.
 */
export function CallHistory() {
  const [outcome, setOutcome] = useState<CallOutcome | ''>('');
  const [pages, setPages] = useState<string[]>([]);
  const before = pages[pages.length - 1];
  const history = useApiQuery(callsQueries.history({ outcome: outcome || undefined, before }));
  return (
    <section aria-labelledby="call-history">
      <h2 id="call-history">History</h2>
      <label>
        Outcome{' '}
        <select
          value={outcome}
          onChange={(e) => {
            setOutcome(e.target.value as CallOutcome | '');
            setPages([]);
          }}
        >
          <option value="">all</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <ReadFailure
        error={history.error}
        hasData={history.data !== undefined}
        updatedAt={history.updatedAt}
        title="Call history unavailable"
        onRetry={history.refresh}
      />
      <table>
        <thead>
          <tr>
            <th>Started</th>
            <th>Kind</th>
            <th>Outcome</th>
            <th>Duration</th>
            <th>Caller</th>
            <th>Joined</th>
            <th>Rung / joined devices</th>
            <th>Media host</th>
          </tr>
        </thead>
        <tbody>
          {history.data?.calls.length === 0 ? (
            <tr>
              <td colSpan={8}>No calls.</td>
            </tr>
          ) : (
            history.data?.calls.map((c) => (
              <tr key={c.callId}>
                <td>{formatDateTime(c.startedAt)}</td>
                <td>{c.kind}</td>
                <td>
                  <StatusPill
                    value={c.outcome ?? (c.state === 'live' ? 'live' : 'ended')}
                    tone={tone(c.outcome)}
                  />
                </td>
                <td>{duration(c.durationSeconds)}</td>
                <td>{person(c.caller)}</td>
                <td>
                  {c.people
                    .filter((p) => p.userId !== c.caller.userId)
                    .map(person)
                    .join(', ') || '—'}
                </td>
                <td>
                  {c.rang} / {c.participants}
                </td>
                <td>{c.mediaHost ?? '—'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      {pages.length > 0 ? (
        <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
          Newer
        </button>
      ) : null}
      {history.data?.nextBefore ? (
        <button type="button" onClick={() => setPages([...pages, history.data!.nextBefore!])}>
          Older
        </button>
      ) : null}
    </section>
  );
}
