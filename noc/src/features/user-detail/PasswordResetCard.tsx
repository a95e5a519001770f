import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import type { User } from '../../identity';
import { useUserWrite } from './shared';

/** A generated temporary password, shown once; the user must replace it at the next sign-in. */
export function PasswordResetCard({ user }: { user: User }) {
  const [temporary, setTemporary] = useState<string | null>(null);
  const reset = useUserWrite(
    user.id,
    () =>
      unwrap(api.POST('/api/v1/users/{id}/password-reset', { params: { path: { id: user.id } }, body: {} })),
    (result) => result.user,
  );
  return (
    <section className="card" aria-labelledby="card-password-reset">
      <h2 id="card-password-reset">Password</h2>
      <p className="card-lead">
        A reset sets a temporary password, ends every session of {user.username} and makes them choose a new
        password at the next sign-in. Their second factors stay; it reopens a closed password step.
      </p>
      {temporary ? (
        <OneTimeSecret
          title="Temporary password"
          lead={`Give it to ${user.displayName} in person or over a trusted channel. It is shown only now.`}
          values={[temporary]}
          label={`Temporary password of ${user.username}`}
          onDone={() => setTemporary(null)}
        />
      ) : (
        <div className="card-actions">
          <ConfirmButton
            label="Reset password"
            question={`The current password of ${user.username} stops working and their sessions end.`}
            confirmLabel="Reset it"
            busyLabel="Resetting…"
            errorTitle="The password was not reset"
            onConfirm={async () => {
              setTemporary((await reset.run(undefined)).temporaryPassword);
            }}
          />
        </div>
      )}
    </section>
  );
}
