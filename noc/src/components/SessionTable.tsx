import { useState } from 'react';
import { asApiError, type ApiError } from '../api/client';
import { formatDateTime } from '../format';
import { acrTone, describeAmr, describeUserAgent, type LiveSession } from '../identity';
import { Link } from '../router';
import { ErrorNotice } from './ErrorNotice';
import { StatusPill } from './StatusPill';

type Props = {
  sessions: readonly LiveSession[] | null;
  caption: string;
  /** Show the user column (the all-sessions page and nowhere else). */
  showUser?: boolean;
  /** Button text per row; null hides the button (no right to revoke). */
  actionLabel: (s: LiveSession) => string | null;
  onAction: (s: LiveSession) => Promise<void>;
  empty: string;
};

/** Live sign-in sessions: who, how (amr, assurance level), from where, since when; with a revoke per row. */
export function SessionTable({ sessions, caption, showUser = false, actionLabel, onAction, empty }: Props) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const columns = showUser ? 8 : 7;

  const act = async (s: LiveSession): Promise<void> => {
    setBusy(s.id);
    setError(null);
    try {
      await onAction(s);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      {error ? <ErrorNotice error={error} title="The session was not ended" /> : null}
      <div className="table-wrap">
        <table className="table" aria-busy={sessions === null}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            <tr>
              {showUser ? <th scope="col">User</th> : null}
              <th scope="col">Signed in with</th>
              <th scope="col">Address</th>
              <th scope="col">Browser</th>
              <th scope="col">Started</th>
              <th scope="col">Last active</th>
              <th scope="col">Ends by</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(sessions ?? []).map((s) => {
              const label = actionLabel(s);
              return (
                <tr key={s.id}>
                  {showUser ? (
                    <td>
                      <Link to={`/users/${s.userId}`}>{s.username}</Link>
                    </td>
                  ) : null}
                  <td>
                    <span title={s.amr.join(', ')}>{describeAmr(s.amr)}</span>{' '}
                    <StatusPill value={s.acr} tone={acrTone(s.acr)} label="Authenticator assurance level" />
                    {s.current ? (
                      <>
                        {' '}
                        <StatusPill value="this session" tone="neutral" />
                      </>
                    ) : null}
                  </td>
                  <td>{s.ip ? <code>{s.ip}</code> : <span className="muted">—</span>}</td>
                  <td title={s.userAgent ?? undefined}>{describeUserAgent(s.userAgent)}</td>
                  <td className="nowrap">
                    <time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time>
                  </td>
                  <td className="nowrap">
                    <time dateTime={s.lastSeenAt}>{formatDateTime(s.lastSeenAt)}</time>
                  </td>
                  <td className="nowrap">
                    <time dateTime={s.expiresAt}>{formatDateTime(s.expiresAt)}</time>
                  </td>
                  <td>
                    {label ? (
                      <button
                        type="button"
                        className="button button-secondary button-small nowrap"
                        aria-label={`${label}: ${s.username}, ${describeUserAgent(s.userAgent)}, since ${formatDateTime(s.createdAt)}`}
                        onClick={() => void act(s)}
                        disabled={busy !== null}
                        aria-busy={busy === s.id}
                      >
                        {busy === s.id ? 'Ending…' : label}
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
            {sessions !== null && sessions.length === 0 ? (
              <tr>
                <td colSpan={columns} className="empty">
                  {empty}
                </td>
              </tr>
            ) : null}
            {sessions === null ? (
              <tr>
                <td colSpan={columns} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
