import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { FactorSummary } from '../../components/FactorSummary';
import { StatusPill } from '../../components/StatusPill';
import type { User } from '../../identity';
import { useUserWrite, when } from './shared';

export function AccountCard({ user, institution }: { user: User; institution: string | undefined }) {
  return (
    <section className="card" aria-labelledby="card-account">
      <h2 id="card-account">Account</h2>
      <dl className="facts">
        <dt>Username</dt>
        <dd>
          <code>{user.username}</code>
        </dd>
        <dt>Designation</dt>
        <dd>{user.designation ?? <span className="muted">—</span>}</dd>
        <dt>Institution</dt>
        <dd>
          {user.institutionId ? (
            (institution ?? <code>{user.institutionId}</code>)
          ) : (
            <span className="muted">national</span>
          )}
        </dd>
        <dt>Email</dt>
        <dd className="break">{user.email ?? <span className="muted">—</span>}</dd>
        <dt>Phone</dt>
        <dd>{user.phone ?? <span className="muted">—</span>}</dd>
        <dt>Roles</dt>
        <dd>
          {user.roles.length ? (
            user.roles.map((role) => (
              <span key={role} className="role">
                {role}
              </span>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>{when(user.createdAt)}</dd>
      </dl>
    </section>
  );
}

/**
 * How the user signs in: the password step (closed after the guess limit: under attack) with reopen, the
 * failures and the factors enrolled.
 */
export function SignInCard({ user, canUnlock }: { user: User; canUnlock: boolean }) {
  const closed = user.passwordClosed;
  const unlock = useUserWrite(
    user.id,
    () => unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id: user.id } } })),
    (u) => u,
  );
  return (
    <section className="card" aria-labelledby="card-sign-in">
      <h2 id="card-sign-in">Sign-in</h2>
      <dl className="facts">
        <dt>Password step</dt>
        <dd>
          {closed ? (
            <>
              <StatusPill value="under attack" tone="bad" /> closed since {when(user.passwordClosedAt)}
            </>
          ) : (
            <StatusPill value="open" tone="good" />
          )}
        </dd>
        <dt>Failed sign-ins</dt>
        <dd>{user.failedLogins} in a row</dd>
        <dt>Second factor</dt>
        <dd>
          <FactorSummary factors={user.factors} />
        </dd>
        {user.factors.totp === 'active' ? (
          <>
            <dt>Recovery codes</dt>
            <dd>{user.factors.recoveryCodesLeft} unused</dd>
          </>
        ) : null}
        <dt>Password set</dt>
        <dd>{when(user.passwordChangedAt)}</dd>
        <dt>Last sign-in</dt>
        <dd>{when(user.lastLoginAt)}</dd>
      </dl>
      {closed ? (
        <p className="card-lead">
          Someone made too many failed sign-ins. {user.username} is not locked out: the password is accepted
          after a passkey, the SIM or the device. Nothing is guessed meanwhile.
        </p>
      ) : null}
      {canUnlock && (closed || user.failedLogins > 0) ? (
        <div className="card-actions">
          <ConfirmButton
            label={closed ? 'Reopen the password step' : 'Reset the failure count'}
            question={
              closed
                ? 'The password alone works again, and guessing can resume. Check the audit log first.'
                : 'The count of failed sign-ins starts again from zero.'
            }
            confirmLabel={closed ? 'Reopen it' : 'Reset count'}
            busyLabel="Reopening…"
            errorTitle="The password step was not reopened"
            tone="primary"
            onConfirm={async () => {
              await unlock.run(undefined);
            }}
          />
        </div>
      ) : null}
    </section>
  );
}
