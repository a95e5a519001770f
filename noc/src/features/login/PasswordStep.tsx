import { useState, type FormEvent, type ReactNode } from 'react';
import { passkeysSupported } from '../../auth/passkeys';
import { Field } from '../../components/Form';
import { SubmitButton } from './LoginParts';

export function PasswordStep({
  username,
  onUsername,
  submitting,
  alert,
  onSubmit,
}: {
  username: string;
  onUsername: (value: string) => void;
  submitting: boolean;
  alert: ReactNode;
  onSubmit: (password: string, clear: () => void) => Promise<void>;
}) {
  const [password, setPassword] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void onSubmit(password, () => setPassword(''));
  };
  return (
    <form onSubmit={submit}>
      <Field id="login-username" label="Username">
        <input
          id="login-username"
          name="username"
          type="text"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          autoFocus
          value={username}
          onChange={(event) => onUsername(event.target.value)}
        />
      </Field>
      <Field id="login-password" label="Password">
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </Field>
      {alert}
      <SubmitButton submitting={submitting}>Sign in</SubmitButton>
    </form>
  );
}

export function PasskeyButton({ submitting, onClick }: { submitting: boolean; onClick: () => void }) {
  if (!passkeysSupported())
    return <p className="login-note">This browser cannot use passkeys: sign in with your password.</p>;
  return (
    <div className="login-alternative">
      <p className="login-divider">
        <span>or</span>
      </p>
      <button
        type="button"
        className="button button-secondary button-block"
        onClick={onClick}
        disabled={submitting}
      >
        Sign in with a passkey
      </button>
      <p className="login-note">No username needed: your authenticator knows which account it holds.</p>
    </div>
  );
}
