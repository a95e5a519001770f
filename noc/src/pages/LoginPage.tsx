import { useState, type FormEvent } from 'react';
import { api, asApiError, unwrap, type ApiError } from '../api/client';
import { session, useSession } from '../auth/session';
import { navigate, safeInternalPath, useLocation } from '../router';

export function LoginPage() {
  const { notice } = useSession();
  const { search } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    session.clearNotice();
    try {
      const result = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
      if (result.status !== 'authenticated') throw new Error('This account needs a second factor.');
      const profile = await unwrap(
        api.GET('/api/v1/auth/me', { headers: { Authorization: `Bearer ${result.accessToken}` } }),
      );
      session.signIn(result.accessToken, profile);
      navigate(safeInternalPath(search.get('next'), '/system'), { replace: true });
    } catch (caught) {
      setError(asApiError(caught));
      setPassword('');
      setSubmitting(false);
    }
  };

  return (
    <div className="login-screen">
      <main className="login-card" aria-labelledby="login-heading">
        <div className="brand brand-dark">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span>
            Pakawaaz <span className="brand-sub">NOC</span>
          </span>
        </div>
        <h1 id="login-heading">Operator sign-in</h1>
        <form onSubmit={(event) => void submit(event)}>
          <div className="field">
            <label htmlFor="login-username">Username</label>
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
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <div className="login-alert" role="alert">
            {error ? (
              <div className="notice notice-error">
                <p className="notice-message">{error.message}</p>
                {error.requestId ? (
                  <p className="request-id">
                    Request ID: <code>{error.requestId}</code>
                  </p>
                ) : null}
              </div>
            ) : notice ? (
              <div className="notice notice-info">
                <p className="notice-message">{notice}</p>
              </div>
            ) : null}
          </div>
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={submitting}
            aria-busy={submitting}
          >
            Sign in
          </button>
        </form>
        <p className="login-note">Multi-factor sign-in (TOTP, passkeys) arrives with the identity service.</p>
      </main>
    </div>
  );
}
