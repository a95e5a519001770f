import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { SESSION_KEYS } from '../sessions/queries';

const EMPTY_PASSWORDS = { current: '', next: '', repeat: '' };

export function PasswordSection() {
  const [form, setForm] = useState(EMPTY_PASSWORDS);
  // The write answers 204: success is this flag, not the mutation's (empty) result.
  const [done, setDone] = useState(false);
  const change = useApiMutation({
    run: (body: { currentPassword: string; newPassword: string }) =>
      unwrap(api.POST('/api/v1/auth/password', { body })),
    // The other sessions end: the session lists are refetched.
    invalidates: SESSION_KEYS,
    onSuccess: () => {
      setForm(EMPTY_PASSWORDS);
      setDone(true);
    },
  });
  const mismatch = form.repeat !== '' && form.repeat !== form.next;

  const set =
    (key: keyof typeof EMPTY_PASSWORDS) =>
    (event: { target: { value: string } }): void => {
      setForm((f) => ({ ...f, [key]: event.target.value }));
      setDone(false);
    };

  return (
    <section className="card form-card card-stacked" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <Form
        ariaLabel="Change your password"
        onSubmit={() => {
          if (form.next !== form.repeat) return;
          setDone(false);
          change.start({ currentPassword: form.current, newPassword: form.next });
        }}
        pending={change.pending}
        error={change.error}
        errorTitle="The password was not changed"
        submitLabel="Change password"
        busyLabel="Changing…"
        status={
          done ? <p className="success-text">Your password was changed; your other sessions ended.</p> : null
        }
      >
        <div className="form-grid">
          <Field id="password-current" label="Current password">
            <input
              id="password-current"
              type="password"
              autoComplete="current-password"
              required
              value={form.current}
              onChange={set('current')}
            />
          </Field>
          <Field
            id="password-next"
            label="New password"
            hint="At least 12 characters; not your name or username."
          >
            <input
              id="password-next"
              type="password"
              autoComplete="new-password"
              minLength={12}
              maxLength={64}
              required
              aria-describedby="password-next-hint"
              value={form.next}
              onChange={set('next')}
            />
          </Field>
          <Field
            id="password-repeat"
            label="Repeat the new password"
            hint={mismatch ? <span className="field-error">The two passwords differ.</span> : undefined}
          >
            <input
              id="password-repeat"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={mismatch}
              aria-describedby={mismatch ? 'password-repeat-hint' : undefined}
              value={form.repeat}
              onChange={set('repeat')}
            />
          </Field>
        </div>
      </Form>
    </section>
  );
}
