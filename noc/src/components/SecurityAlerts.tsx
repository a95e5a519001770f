import { useCallback, useEffect, useState } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { formatCount, formatDateTime } from '../format';
import { Link } from '../router';
import { ConfirmButton } from './ConfirmButton';
import { ErrorNotice } from './ErrorNotice';
import { OneTimeSecret } from './OneTimeSecret';

type FactorReset = Schemas['FactorResetRequestView'];

/**
 * The alarm of the lock-out model: accounts whose password step the guess limit closed. Nobody is locked
 * out — they sign in with a passkey, the SIM or the device first — but someone is guessing their password.
 */
export function UnderAttack({ generation }: { generation: number }) {
  const [total, setTotal] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    api
      .GET('/api/v1/users', {
        params: { query: { passwordClosed: 'true', limit: 1 } },
        signal: controller.signal,
      })
      .then((r) => setTotal(r.data?.total ?? 0))
      .catch(() => undefined);
    return () => controller.abort();
  }, [generation]);
  if (total === 0) return null;
  return (
    <section className="notice notice-error" aria-label="Accounts under attack">
      <strong className="notice-title">
        {formatCount(total)} {total === 1 ? 'account is' : 'accounts are'} under attack
      </strong>
      <p className="notice-message">
        Someone made the maximum number of failed sign-ins: the password step is closed. The user still signs
        in with a passkey, the SIM or the device first, then the password. Look at the audit log, then reopen
        the password step on the user’s page (or let the user change the password).
      </p>
      <p className="notice-message">
        <Link to="/users?attack=1">Show the accounts under attack</Link>
      </p>
    </section>
  );
}

/** Two-person factor resets waiting for a second administrator: approve (get your half) or reject. */
export function PendingFactorResets({ generation }: { generation: number }) {
  const { operator } = useSession();
  const [requests, setRequests] = useState<FactorReset[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [approved, setApproved] = useState<{ username: string; requestedBy: string; part: string } | null>(
    null,
  );

  const load = useCallback(async (signal?: AbortSignal): Promise<void> => {
    try {
      setRequests((await unwrap(api.GET('/api/v1/factor-resets', { signal }))).requests);
      setError(null);
    } catch (caught) {
      if (!isAbort(caught)) setError(asApiError(caught));
    }
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, generation]);

  if (!approved && !error && !requests?.length) return null;
  return (
    <section className="card cards-spaced" aria-labelledby="factor-resets-heading">
      <h2 id="factor-resets-heading">Factor resets waiting for approval</h2>
      <p className="card-lead">
        Removing the second factor of an operator with a national role takes two administrators. Approve only
        after you checked with the user yourself; each of you gives the user one half of the one-time
        password.
      </p>
      {error ? <ErrorNotice error={error} title="Could not load the factor resets" /> : null}
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
                <tr key={r.id}>
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
                    {r.requestedBy === operator?.username ? (
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
                            const result = await unwrap(
                              api.POST('/api/v1/factor-resets/{id}/approve', {
                                params: { path: { id: r.id } },
                              }),
                            );
                            setApproved({
                              username: r.username,
                              requestedBy: r.requestedBy,
                              part: result.temporaryPasswordPart ?? '',
                            });
                            await load();
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
                            await unwrap(
                              api.POST('/api/v1/factor-resets/{id}/reject', {
                                params: { path: { id: r.id } },
                                body: {},
                              }),
                            );
                            await load();
                          }}
                        />
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
