import { useState } from 'react';
import { useSession } from '../../auth/session';
import { ReadFailure, RefreshStatus } from '../../components/QueryStatus';
import { SessionTable } from '../../components/SessionTable';
import { useApiQuery } from '../../data/hooks';
import { formatCount } from '../../format';
import { hasRole } from '../../identity';
import { sessionQueries, useEndSession } from './queries';

const POLL_MS = 15_000;

export function SessionsPage() {
  const { operator } = useSession();
  const query = useApiQuery(sessionQueries.all(), { pollMs: POLL_MS });
  const { data, error } = query;
  const [filter, setFilter] = useState('');
  const [revoked, setRevoked] = useState<string | null>(null);
  const end = useEndSession((s) => setRevoked(s.username));
  // Anyone may end their own session (the route has no role); another user's is a security officer's, a
  // row-level rule the route table cannot express.
  const canRevokeOthers = hasRole(operator, 'security-officer');

  const needle = filter.trim().toLowerCase();
  const sessions = data
    ? data.sessions.filter((s) => !needle || s.username.toLowerCase().includes(needle))
    : error
      ? []
      : null;
  const users = new Set(data?.sessions.map((s) => s.userId)).size;

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
        <RefreshStatus
          updatedAt={query.updatedAt}
          loading={query.loading}
          fetching={query.fetching}
          pollMs={POLL_MS}
          onRefresh={query.refresh}
        />
      </div>

      <ReadFailure
        error={error}
        hasData={data !== undefined}
        updatedAt={query.updatedAt}
        title="Could not load the sessions"
        onRetry={query.refresh}
      />

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
        actionLabel={(s) => (s.current ? 'Sign out' : canRevokeOthers ? 'Revoke' : null)}
        onAction={async (s) => {
          setRevoked(null);
          await end(s);
        }}
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
