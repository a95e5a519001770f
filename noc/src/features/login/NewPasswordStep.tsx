import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/Form';
import { SubmitButton } from './LoginParts';

export function NewPasswordStep({
  username,
  submitting,
  alert,
  onSubmit,
  onStartOver,
}: {
  username: string;
  submitting: boolean;
  alert: ReactNode;
  onSubmit: (password: string, clear: () => void) => Promise<void>;
  onStartOver: () => void;
}) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const mismatch = repeat !== '' && repeat !== password;
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (password !== repeat) return;
    void onSubmit(password, () => {
      setPassword('');
      setRepeat('');
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="login-step-heading">
      <h2 id="login-step-heading" className="login-step">
        Choose a new password
      </h2>
      <p className="login-as">
        An administrator reset the password of <strong>{username}</strong>. Choose your own before you
        continue.
      </p>
      <Field
        id="login-new-password"
        label="New password"
        hint="At least 12 characters; a few unrelated words make a good one. Not your name or username."
      >
        <input
          id="login-new-password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          maxLength={64}
          required
          autoFocus
          aria-describedby="login-new-password-hint"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </Field>
      <Field
        id="login-repeat-password"
        label="Repeat the new password"
        hint={mismatch ? <span className="field-error">The two passwords differ.</span> : undefined}
      >
        <input
          id="login-repeat-password"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={mismatch}
          aria-describedby={mismatch ? 'login-repeat-password-hint' : undefined}
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
      </Field>
      {alert}
      <SubmitButton submitting={submitting}>Change password and continue</SubmitButton>
      <p className="login-links">
        <button type="button" className="button-link" onClick={onStartOver}>
          Start over
        </button>
      </p>
    </form>
  );
}
