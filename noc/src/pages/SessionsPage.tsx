import { useCallback, useState } from 'react';
import { api, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { signOut } from '../auth/signOut';
import { ErrorNotice } from '../components/ErrorNotice';
import { SessionTable } from '../components/SessionTable';
import { formatCount, formatTime } from '../format';
import { hasRole, type LiveSession } from '../identity';
import { navigate } from '../router';
import { usePolling } from '../usePolling';

const POLL_MS = 15_000;

export function SessionsPage() {
  const { operator } = useSession();
  const fetchSessions = useCallback(
    (signal: AbortSignal) => unwrap(api.GET('/api/v1/sessions', { signal })),
    [],
  );
  const { data, updatedAt, error, loading, refresh } = usePolling(fetchSessions, POLL_MS);
  const [filter, setFilter] = useState('');
  const [revoked, setRevoked] = useState<string | null>(null);
  const canRevoke = hasRole(operator, 'security-officer');

  const needle = filter.trim().toLowerCase();
  const sessions = data
    ? data.sessions.filter((s) => !needle || s.username.toLowerCase().includes(needle))
    : error
      ? []
      : null;
  const users = new Set(data?.sessions.map((s) => s.userId)).size;

  const revoke = async (s: LiveSession): Promise<void> => {
    setRevoked(null);
    if (s.current) {
      await signOut();
      navigate('/login');
      return;
    }
    await unwrap(api.DELETE('/api/v1/sessions/{id}', { params: { path: { id: s.id } } }));
    setRevoked(s.username);
    refresh();
  };

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Sessions</h1>
          <p className="page-subtitle muted">
            Everyone signed in right now. Revoking a session ends it at once: its tokens stop working on the
            next call.
          </p>
        </div>
        <div className="page-actions">
          <p className="updated" aria-live="polite">
            {updatedAt ? (
              <>
                Last updated <time dateTime={updatedAt.toISOString()}>{formatTime(updatedAt)}</time>
              </>
            ) : loading ? (
              'Loading…'
            ) : null}
          </p>
          <button type="button" className="button button-secondary" onClick={refresh} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>

      {error ? <ErrorNotice error={error} title="Could not load the sessions" /> : null}

      <div className="filters">
        <div className="field field-inline">
          <label htmlFor="sessions-filter">Username contains</label>
          <input
            id="sessions-filter"
            type="search"
            autoComplete="off"
            spellCheck={false}
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </div>
        <p className="muted filters-note" aria-live="polite">
          {data
            ? `${formatCount(data.sessions.length)} live ${data.sessions.length === 1 ? 'session' : 'sessions'} of ${formatCount(users)} ${users === 1 ? 'user' : 'users'}`
            : null}
        </p>
      </div>
      <div role="status" aria-live="polite">
        {revoked ? <p className="success-text">Ended a session of {revoked}.</p> : null}
      </div>
      <SessionTable
        sessions={sessions}
        caption="Live sessions"
        showUser
        actionLabel={(s) => (s.current ? 'Sign out' : canRevoke ? 'Revoke' : null)}
        onAction={revoke}
        empty={
          !data
            ? 'The sessions could not be loaded.'
            : needle
              ? 'No session of a matching user.'
              : 'No one is signed in.'
        }
      />
    </>
  );
}
