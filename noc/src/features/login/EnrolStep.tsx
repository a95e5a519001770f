import { useState, type FormEvent, type ReactNode } from 'react';
import { Field } from '../../components/Form';
import { TotpCodeInput } from '../../components/TotpCodeInput';
import { TotpEnrolmentView } from '../../components/TotpEnrolmentView';
import { SubmitButton } from './LoginParts';
import type { Step } from './steps';

/** After an administrator removed the second factors: the user sets up the new authenticator, now. */
export function EnrolStep({
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
      <Field id="login-enrol-code" label="Code from the app">
        <TotpCodeInput id="login-enrol-code" name="one-time-code" value={code} onChange={setCode} />
      </Field>
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
