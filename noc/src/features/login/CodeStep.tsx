import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/Form';
import { TotpCodeInput } from '../../components/TotpCodeInput';
import { SubmitButton } from './LoginParts';
import type { CodeMethod, Step } from './steps';

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

export function CodeStep({
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
      <Field id="login-code" label={fields.label} hint={fields.hint}>
        {step.method === 'totp' ? (
          <TotpCodeInput
            id="login-code"
            name="one-time-code"
            describedBy="login-code-hint"
            value={code}
            onChange={setCode}
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
      </Field>
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
