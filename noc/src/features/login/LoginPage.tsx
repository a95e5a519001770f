import { api, unwrap } from '../../api/client';
import { signInWithPasskey } from '../../auth/passkeys';
import { useSession } from '../../auth/session';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { useState } from 'react';
import { CodeStep } from './CodeStep';
import { EnrolStep } from './EnrolStep';
import { LoginAlert } from './LoginParts';
import { NewPasswordStep } from './NewPasswordStep';
import { PasskeyButton, PasswordStep } from './PasswordStep';
import { useSignIn } from './useSignIn';

/** Public: every call here is a `public` route, so there is nothing to gate by role. */
export function LoginPage() {
  const { notice } = useSession();
  const [username, setUsername] = useState('');
  const { step, submitting, error, run, finish, switchMethod, startOver } = useSignIn();

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
            onMethod={(method) => switchMethod({ ...step, method })}
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
