import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SessionTable } from '../../components/SessionTable';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import type { User } from '../../identity';
import { SESSION_KEYS, useEndSession } from '../sessions/queries';
import { userQueries } from '../users/queries';

export function UserSessions({
  user,
  canRevokeAll,
  canRevokeOne,
}: {
  user: User;
  canRevokeAll: boolean;
  canRevokeOne: boolean;
}) {
  const query = useApiQuery(userQueries.sessions(user.id));
  const sessions = query.data?.sessions;
  const [revoked, setRevoked] = useState<number | null>(null);
  const end = useEndSession();
  const revokeAll = useApiMutation({
    run: () => unwrap(api.DELETE('/api/v1/users/{id}/sessions', { params: { path: { id: user.id } } })),
    invalidates: SESSION_KEYS,
    onSuccess: (result) => setRevoked(result.revoked),
  });

  const count = sessions?.length ?? 0;
  const error = query.error;
  return (
    <section className="account-sessions" aria-labelledby="user-sessions-heading">
      <div className="section-header">
        <h2 id="user-sessions-heading">Sessions</h2>
        {canRevokeAll && count > 0 ? (
          <ConfirmButton
            label="Revoke all"
            question={`Every session of ${user.username} ends at once${sessions?.some((s) => s.current) ? ', including yours' : ''}.`}
            confirmLabel={`Revoke ${count} ${count === 1 ? 'session' : 'sessions'}`}
            busyLabel="Revoking…"
            errorTitle="The sessions were not revoked"
            small
            onConfirm={async () => {
              await revokeAll.run(undefined);
            }}
          />
        ) : null}
      </div>
      <div role="status" aria-live="polite">
        {revoked !== null ? (
          <p className="success-text">
            Revoked {revoked} {revoked === 1 ? 'session' : 'sessions'}.
          </p>
        ) : null}
      </div>
      {error ? (
        <ErrorNotice error={error} title="Could not load the sessions" onRetry={query.refresh} />
      ) : null}
      <SessionTable
        sessions={sessions ?? (error ? [] : null)}
        caption={`Live sessions of ${user.username}`}
        actionLabel={(s) => (s.current ? 'Sign out' : canRevokeOne ? 'Revoke' : null)}
        onAction={end}
        empty={error ? 'The sessions could not be loaded.' : `${user.username} is not signed in anywhere.`}
      />
    </section>
  );
}
