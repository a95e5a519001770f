import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { INSTITUTION_SCOPED_ROLES, type Role, type User } from '../../identity';
import { MAX_REASON, MIN_REASON, useUserWrite } from './shared';

type Result = Schemas['FactorResetResult'];

/** Officials and institution operators: one administrator resets; national roles: two (as on the server). */
const NATIONAL = (user: User) =>
  user.kind === 'operator' && user.roles.some((r) => !INSTITUTION_SCOPED_ROLES.includes(r as Role));

/**
 * Second factors are removed, never issued: the user enrols a new authenticator at the next sign-in. For an
 * operator with a national role the reset waits for a second administrator, and each holds half of the
 * one-time password.
 */
export function FactorResetCard({ user }: { user: User }) {
  const twoPerson = NATIONAL(user);
  const [reason, setReason] = useState('');
  const [withPassword, setWithPassword] = useState(true);
  const [result, setResult] = useState<Result | null>(null);
  const reset = useUserWrite(
    user.id,
    (body: { reason: string; password: boolean }) =>
      unwrap(api.POST('/api/v1/users/{id}/factor-reset', { params: { path: { id: user.id } }, body })),
    (r) => r.user,
  );

  const submit = (): void => {
    const trimmed = reason.trim();
    if (trimmed.length < MIN_REASON) return;
    reset.run({ reason: trimmed, password: twoPerson || withPassword }).then(
      (r) => {
        setResult(r);
        setReason('');
      },
      () => undefined, // shown by the form
    );
  };

  return (
    <section className="card" aria-labelledby="card-factor-reset">
      <h2 id="card-factor-reset">Second factors</h2>
      {result ? (
        <FactorResetDone user={user} result={result} onDone={() => setResult(null)} />
      ) : (
        <Form
          className="inline-form"
          ariaLabel="Reset second factors"
          onSubmit={submit}
          pending={reset.pending}
          disabled={reason.trim().length < MIN_REASON}
          error={reset.error}
          errorTitle="The factors were not reset"
          submitLabel={twoPerson ? 'Ask for a factor reset' : 'Reset second factors'}
          busyLabel={twoPerson ? 'Asking…' : 'Resetting…'}
        >
          <p className="card-lead">
            For a lost or stolen phone: removes the authenticator (TOTP), the recovery codes and the passkeys
            and ends every session. Administrators never receive a new factor: {user.username} enrols a new
            authenticator at the next sign-in.
            {twoPerson
              ? ' This operator holds a national role: a second administrator must approve, and each of you gives the user half of the one-time password.'
              : ''}
          </p>
          <Field
            id="factor-reset-reason"
            label={
              <>
                Reason <span className="optional">(shown to the approver, kept in the audit log)</span>
              </>
            }
          >
            <textarea
              id="factor-reset-reason"
              rows={2}
              required
              minLength={MIN_REASON}
              maxLength={MAX_REASON}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </Field>
          {twoPerson ? null : (
            <ul className="checkbox-list">
              <li>
                <input
                  id="factor-reset-password"
                  type="checkbox"
                  checked={withPassword}
                  onChange={(event) => setWithPassword(event.target.checked)}
                />
                <label htmlFor="factor-reset-password">Also set a one-time password</label>
              </li>
            </ul>
          )}
        </Form>
      )}
    </section>
  );
}

function FactorResetDone({ user, result, onDone }: { user: User; result: Result; onDone: () => void }) {
  const pending = result.status === 'pending';
  const secret = result.temporaryPassword ?? result.temporaryPasswordPart ?? null;
  const title = pending ? 'First half of the one-time password' : 'One-time password';
  return (
    <>
      <p className="card-lead" role="status">
        {pending
          ? `Asked: another administrator must approve the reset of ${user.username} (Users page).`
          : `Removed the authenticator and passkeys of ${user.username}: they enrol a new authenticator at the next sign-in.`}
      </p>
      {secret ? (
        <OneTimeSecret
          title={title}
          lead={
            pending
              ? `Give it to ${user.displayName} yourself; the approving administrator gives the second half. They type your half first. Shown only now.`
              : `Give it to ${user.displayName} in person or over a trusted channel. It is shown only now.`
          }
          values={[secret]}
          label={`${title} of ${user.username}`}
          onDone={onDone}
        />
      ) : (
        <div className="form-actions">
          <button type="button" className="button button-secondary" onClick={onDone}>
            Done
          </button>
        </div>
      )}
    </>
  );
}
