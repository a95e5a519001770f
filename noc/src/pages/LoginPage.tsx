import { useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError, asApiError, unwrap, type Schemas } from '../api/client';
import { passkeysSupported, signInWithPasskey } from '../auth/passkeys';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { TotpEnrolmentView } from '../components/TotpEnrolmentView';
import { session, useSession } from '../auth/session';
import { homeFor } from '../identity';
import { navigate, safeInternalPath, useLocation } from '../router';

type LoginStep = Schemas['LoginStep'];
type Authenticated = Extract<LoginStep, { status: 'authenticated' }>;
type CodeMethod = 'totp' | 'recovery-code';

type Enrolment = Extract<LoginStep, { status: 'totp_enrolment_required' }>['enrolment'];

/**
 * Where the sign-in stands: the password, a second factor, the password change an administrator forced,
 * the new authenticator an administrator's factor reset asks for, and its recovery codes (shown once).
 */
type Step =
  | { kind: 'password' }
  | { kind: 'code'; ticket: string; methods: readonly CodeMethod[]; method: CodeMethod }
  | { kind: 'new-password'; ticket: string }
  | { kind: 'enrol'; ticket: string; enrolment: Enrolment }
  | { kind: 'recovery-codes'; result: Authenticated; codes: readonly string[] };

const PASSWORD_STEP: Step = { kind: 'password' };

/** The second factors a browser can offer; a SIM or device factor belongs to a handset. */
function codeMethods(factors: readonly string[]): CodeMethod[] {
  return (['totp', 'recovery-code'] as const).filter((m) => factors.includes(m));
}

export function LoginPage() {
  const { notice } = useSession();
  const { search } = useLocation();
  const [step, setStep] = useState<Step>(PASSWORD_STEP);
  const [username, setUsername] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const finish = async (result: Authenticated): Promise<void> => {
    const profile = await unwrap(
      api.GET('/api/v1/auth/me', { headers: { Authorization: `Bearer ${result.accessToken}` } }),
    );
    session.signIn(result, profile);
    navigate(safeInternalPath(search.get('next'), homeFor(profile)), { replace: true });
  };

  const proceed = async (result: LoginStep): Promise<void> => {
    switch (result.status) {
      case 'authenticated':
        if (result.recoveryCodes?.length) {
          setStep({ kind: 'recovery-codes', result, codes: result.recoveryCodes });
          return;
        }
        return finish(result);
      case 'mfa_required': {
        const methods = codeMethods(result.factors);
        const first = methods[0];
        if (!first)
          throw new ApiError(
            0,
            'factor_not_offered',
            'This account signs in with its SIM or device, which the NOC does not offer. Use an operator account.',
            null,
          );
        setStep({ kind: 'code', ticket: result.ticket, methods, method: first });
        return;
      }
      case 'password_change_required':
        setStep({ kind: 'new-password', ticket: result.ticket });
        return;
      case 'totp_enrolment_required':
        setStep({ kind: 'enrol', ticket: result.ticket, enrolment: result.enrolment });
        return;
    }
  };

  /** Runs one step; a refused or expired ticket sends the operator back to the password. */
  const run = async (call: () => Promise<LoginStep>, onError?: () => void): Promise<void> => {
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    session.clearNotice();
    try {
      await proceed(await call());
      setSubmitting(false);
    } catch (caught) {
      const failure = asApiError(caught);
      if (failure.code === 'login_ticket_invalid') setStep(PASSWORD_STEP);
      setError(failure);
      onError?.();
      setSubmitting(false);
    }
  };

  const startOver = (): void => {
    setStep(PASSWORD_STEP);
    setError(null);
  };

  const passkey = (): Promise<void> =>
    run(async () => {
      const options = await unwrap(api.POST('/api/v1/auth/login/passkey/options'));
      const response = await signInWithPasskey(options);
      return unwrap(api.POST('/api/v1/auth/login/passkey', { body: { response } }));
    });

  const alert = <LoginAlert error={error} notice={notice} />;

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
        {step.kind === 'password' ? (
          <>
            <PasswordStep
              username={username}
              onUsername={setUsername}
              submitting={submitting}
              alert={alert}
              onSubmit={(password, clear) =>
                run(() => unwrap(api.POST('/api/v1/auth/login', { body: { username, password } })), clear)
              }
            />
            <PasskeyButton submitting={submitting} onClick={() => void passkey()} />
          </>
        ) : step.kind === 'code' ? (
          <CodeStep
            key={step.method}
            step={step}
            username={username}
            submitting={submitting}
            alert={alert}
            onMethod={(method) => {
              setStep({ ...step, method });
              setError(null);
            }}
            onSubmit={(code, clear) =>
              run(
                () =>
                  unwrap(
                    step.method === 'totp'
                      ? api.POST('/api/v1/auth/login/totp', { body: { ticket: step.ticket, code } })
                      : api.POST('/api/v1/auth/login/recovery-code', { body: { ticket: step.ticket, code } }),
                  ),
                clear,
              )
            }
            onStartOver={startOver}
          />
        ) : step.kind === 'enrol' ? (
          <EnrolStep
            step={step}
            username={username}
            submitting={submitting}
            alert={alert}
            onSubmit={(code, clear) =>
              run(
                () =>
                  unwrap(
                    api.POST('/api/v1/auth/login/totp-enrolment', { body: { ticket: step.ticket, code } }),
                  ),
                clear,
              )
            }
            onStartOver={startOver}
          />
        ) : step.kind === 'recovery-codes' ? (
          <OneTimeSecret
            title="Your recovery codes"
            lead="Each code signs you in once if the phone is lost. Keep them somewhere safe: they are shown only now."
            values={step.codes}
            label="Recovery codes"
            filename="pakawaaz-recovery-codes.txt"
            doneLabel="I have saved them"
            onDone={() => void finish(step.result)}
          />
        ) : (
          <NewPasswordStep
            username={username}
            submitting={submitting}
            alert={alert}
            onSubmit={(newPassword, clear) =>
              run(
                () =>
                  unwrap(
                    api.POST('/api/v1/auth/login/password', { body: { ticket: step.ticket, newPassword } }),
                  ),
                clear,
              )
            }
            onStartOver={startOver}
          />
        )}
      </main>
    </div>
  );
}

/** One live region for the whole card, so a screen reader hears each refusal and each notice. */
function LoginAlert({ error, notice }: { error: ApiError | null; notice: string | null }) {
  return (
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
  );
}

function SubmitButton({ submitting, children }: { submitting: boolean; children: ReactNode }) {
  return (
    <button
      type="submit"
      className="button button-primary button-block"
      disabled={submitting}
      aria-busy={submitting}
    >
      {children}
    </button>
  );
}

function PasswordStep({
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
          onChange={(event) => onUsername(event.target.value)}
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
      {alert}
      <SubmitButton submitting={submitting}>Sign in</SubmitButton>
    </form>
  );
}

function PasskeyButton({ submitting, onClick }: { submitting: boolean; onClick: () => void }) {
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

const CODE_FIELDS = {
  totp: {
    heading: 'Enter the code from your authenticator app',
    label: 'Authentication code',
    hint: 'The 6-digit code your authenticator app shows for Pakawaaz. Each code works once.',
    switchTo: 'Use the authenticator app instead',
  },
  'recovery-code': {
    heading: 'Enter one of your recovery codes',
    label: 'Recovery code',
    hint: 'One of the codes you saved when you set up the authenticator. Each works once.',
    switchTo: 'Use a recovery code instead',
  },
} as const satisfies Record<CodeMethod, Record<string, string>>;

function CodeStep({
  step,
  username,
  submitting,
  alert,
  onMethod,
  onSubmit,
  onStartOver,
}: {
  step: Extract<Step, { kind: 'code' }>;
  username: string;
  submitting: boolean;
  alert: ReactNode;
  onMethod: (method: CodeMethod) => void;
  onSubmit: (code: string, clear: () => void) => Promise<void>;
  onStartOver: () => void;
}) {
  const [code, setCode] = useState('');
  const fields = CODE_FIELDS[step.method];
  const other = step.methods.find((m) => m !== step.method);
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void onSubmit(code.replace(/\s+/g, ''), () => setCode(''));
  };
  return (
    <form onSubmit={submit} aria-labelledby="login-step-heading">
      <h2 id="login-step-heading" className="login-step">
        {fields.heading}
      </h2>
      <p className="login-as">
        Signing in as <strong>{username}</strong>
      </p>
      <div className="field">
        <label htmlFor="login-code">{fields.label}</label>
        {step.method === 'totp' ? (
          <input
            id="login-code"
            name="one-time-code"
            className="code-entry"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            title="6 digits"
            required
            autoFocus
            aria-describedby="login-code-hint"
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
          />
        ) : (
          <input
            id="login-code"
            name="recovery-code"
            className="code-entry"
            type="text"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={64}
            required
            autoFocus
            aria-describedby="login-code-hint"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        )}
        <span id="login-code-hint" className="hint">
          {fields.hint}
        </span>
      </div>
      {alert}
      <SubmitButton submitting={submitting}>Verify</SubmitButton>
      <p className="login-links">
        {other ? (
          <button type="button" className="button-link" onClick={() => onMethod(other)}>
            {CODE_FIELDS[other].switchTo}
          </button>
        ) : null}
        <button type="button" className="button-link" onClick={onStartOver}>
          Start over
        </button>
      </p>
    </form>
  );
}

function NewPasswordStep({
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
      <div className="field">
        <label htmlFor="login-new-password">New password</label>
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
        <span id="login-new-password-hint" className="hint">
          At least 12 characters; a few unrelated words make a good one. Not your name or username.
        </span>
      </div>
      <div className="field">
        <label htmlFor="login-repeat-password">Repeat the new password</label>
        <input
          id="login-repeat-password"
          type="password"
          autoComplete="new-password"
          required
          aria-invalid={mismatch}
          aria-describedby={mismatch ? 'login-repeat-hint' : undefined}
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
        {mismatch ? (
          <span id="login-repeat-hint" className="hint field-error">
            The two passwords differ.
          </span>
        ) : null}
      </div>
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

/** After an administrator removed the second factors: the user sets up the new authenticator, now. */
function EnrolStep({
  step,
  username,
  submitting,
  alert,
  onSubmit,
  onStartOver,
}: {
  step: Extract<Step, { kind: 'enrol' }>;
  username: string;
  submitting: boolean;
  alert: ReactNode;
  onSubmit: (code: string, clear: () => void) => Promise<void>;
  onStartOver: () => void;
}) {
  const [code, setCode] = useState('');
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    void onSubmit(code, () => setCode(''));
  };
  return (
    <form onSubmit={submit} aria-labelledby="login-step-heading">
      <h2 id="login-step-heading" className="login-step">
        Set up your authenticator app
      </h2>
      <p className="login-as">
        An administrator removed the second factors of <strong>{username}</strong>. Add the new authenticator
        to your phone; nobody else has seen it.
      </p>
      <TotpEnrolmentView enrolment={step.enrolment} account={username} />
      <div className="field">
        <label htmlFor="login-enrol-code">Code from the app</label>
        <input
          id="login-enrol-code"
          name="one-time-code"
          className="code-entry"
          type="text"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          title="6 digits"
          required
          autoFocus
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
        />
      </div>
      {alert}
      <SubmitButton submitting={submitting}>Confirm and sign in</SubmitButton>
      <p className="login-links">
        <button type="button" className="button-link" onClick={onStartOver}>
          Start over
        </button>
      </p>
    </form>
  );
}
