import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { FACTOR_RESETS_KEY, userQueries, USERS_KEY } from './queries';

type FactorReset = Schemas['FactorResetRequestView'];
type Approved = { username: string; requestedBy: string; part: string };

/** Two-person factor resets waiting for a second administrator: approve (get your half) or reject. */
export function PendingFactorResets() {
  const { operator } = useSession();
  const query = useApiQuery(userQueries.factorResets());
  const [approved, setApproved] = useState<Approved | null>(null);
  const requests = query.data?.requests;

  if (!approved && !query.error && !requests?.length) return null;
  return (
    <section className="card cards-spaced" aria-labelledby="factor-resets-heading">
      <h2 id="factor-resets-heading">Factor resets waiting for approval</h2>
      <p className="card-lead">
        Removing the second factor of an operator with a national role takes two administrators. Approve only
        after you checked with the user yourself; each of you gives the user one half of the one-time
        password.
      </p>
      {query.error ? (
        <ErrorNotice error={query.error} title="Could not load the factor resets" onRetry={query.refresh} />
      ) : null}
      {approved ? (
        <OneTimeSecret
          title={`${approved.username}: second half of the one-time password`}
          lead={`The factors are removed. Give this half to ${approved.username} yourself; ${approved.requestedBy} gives the first half. They type the first half, then this one, and enrol a new authenticator. Shown only now.`}
          values={[approved.part]}
          label={`Second half of the one-time password of ${approved.username}`}
          onDone={() => setApproved(null)}
        />
      ) : null}
      {requests?.length ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Pending factor resets</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Asked by</th>
                <th scope="col">Reason</th>
                <th scope="col">Asked</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Decision</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {requests.map((r) => (
                <FactorResetRow
                  key={r.id}
                  request={r}
                  own={r.requestedBy === operator?.username}
                  onApproved={setApproved}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function FactorResetRow({
  request: r,
  own,
  onApproved,
}: {
  request: FactorReset;
  own: boolean;
  onApproved: (approved: Approved) => void;
}) {
  const path = { params: { path: { id: r.id } } };
  const invalidates = [FACTOR_RESETS_KEY, USERS_KEY];
  const approve = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/factor-resets/{id}/approve', path)),
    invalidates,
    onSuccess: (result) =>
      onApproved({
        username: r.username,
        requestedBy: r.requestedBy,
        part: result.temporaryPasswordPart ?? '',
      }),
  });
  const reject = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/factor-resets/{id}/reject', { ...path, body: {} })),
    invalidates,
  });
  return (
    <tr>
      <th scope="row">
        <Link to={`/users/${r.userId}`}>
          <code>{r.username}</code>
        </Link>
      </th>
      <td>{r.requestedBy}</td>
      <td className="break">{r.reason}</td>
      <td className="nowrap">
        <time dateTime={r.createdAt}>{formatDateTime(r.createdAt)}</time>
      </td>
      <td className="nowrap">
        <time dateTime={r.expiresAt}>{formatDateTime(r.expiresAt)}</time>
      </td>
      <td className="actions">
        {own ? (
          <span className="muted">another administrator decides</span>
        ) : (
          <>
            <ConfirmButton
              label="Approve"
              accessibleName={`Approve the factor reset of ${r.username}`}
              question={`The authenticator, recovery codes and passkeys of ${r.username} are removed and every session ends.`}
              confirmLabel="Approve it"
              busyLabel="Approving…"
              errorTitle="The reset was not approved"
              tone="primary"
              small
              onConfirm={async () => {
                await approve.run(undefined);
              }}
            />{' '}
            <ConfirmButton
              label="Reject"
              accessibleName={`Reject the factor reset of ${r.username}`}
              question="Nothing changes for the user."
              confirmLabel="Reject it"
              busyLabel="Rejecting…"
              errorTitle="The request was not rejected"
              small
              onConfirm={async () => {
                await reject.run(undefined);
              }}
            />
          </>
        )}
      </td>
    </tr>
  );
}
