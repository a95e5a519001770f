import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import type { OperatorProfile } from '../../auth/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { StatusPill } from '../../components/StatusPill';
import { TotpCodeInput } from '../../components/TotpCodeInput';
import { TotpEnrolmentView } from '../../components/TotpEnrolmentView';
import { useApiMutation } from '../../data/hooks';
import { PROFILE_KEY } from './queries';

type TotpEnrolment = Schemas['TotpEnrolment'];

const TOTP_STATE = {
  none: { label: 'not set up', tone: 'neutral' },
  pending: { label: 'not confirmed', tone: 'warn' },
  active: { label: 'active', tone: 'good' },
} as const;

/** Self-service TOTP: enrol (QR, secret, first code), the recovery codes shown once, regenerate, remove. */
export function TotpSection({ operator }: { operator: OperatorProfile }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const state = operator.factors.totp;
  const signedInWithCode = operator.amr.includes('otp');
  const invalidates = [PROFILE_KEY];
  const begin = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/account/totp')),
    onSuccess: setEnrolment,
  });
  const renew = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/account/recovery-codes')),
    invalidates,
    onSuccess: (result) => setCodes(result.recoveryCodes),
  });
  const remove = useApiMutation({ run: () => unwrap(api.DELETE('/api/v1/account/totp')), invalidates });

  return (
    <section id="totp" className="card form-card card-stacked" aria-labelledby="totp-heading">
      <h2 id="totp-heading">Authenticator app (TOTP)</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusPill value={TOTP_STATE[state].label} tone={TOTP_STATE[state].tone} />
        </dd>
        {state === 'active' ? (
          <>
            <dt>Recovery codes</dt>
            <dd>{operator.factors.recoveryCodesLeft} unused</dd>
          </>
        ) : null}
      </dl>

      {codes ? (
        <OneTimeSecret
          title="Your recovery codes"
          lead="Each code signs you in once if you lose the phone with the authenticator. Keep them somewhere safe and offline: they are shown only now."
          values={codes}
          label="Recovery codes"
          filename={`pakawaaz-recovery-codes-${operator.username}.txt`}
          doneLabel="I have saved them"
          onDone={() => setCodes(null)}
        />
      ) : enrolment ? (
        <TotpConfirm
          enrolment={enrolment}
          account={operator.username}
          onConfirmed={(recoveryCodes) => {
            setEnrolment(null);
            setCodes(recoveryCodes);
          }}
          onCancel={() => setEnrolment(null)}
        />
      ) : state !== 'active' ? (
        <div className="card-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin.start(undefined)}
            disabled={begin.pending}
            aria-busy={begin.pending}
          >
            {state === 'pending' ? 'Start the set-up again' : 'Set up an authenticator app'}
          </button>
          <span className="hint">
            {state === 'pending'
              ? 'A set-up was started but never confirmed with a code.'
              : 'Sign-ins then ask for a 6-digit code after the password.'}
          </span>
        </div>
      ) : (
        <div className="card-actions">
          <ConfirmButton
            label="New recovery codes"
            question="The unused recovery codes stop working at once."
            confirmLabel="Make new codes"
            busyLabel="Making codes…"
            errorTitle="No new recovery codes"
            tone="primary"
            disabled={!signedInWithCode}
            onConfirm={async () => {
              await renew.run(undefined);
            }}
          />
          <ConfirmButton
            label="Remove the authenticator"
            question="Sign-ins will no longer ask for a code, and the recovery codes stop working."
            confirmLabel="Remove it"
            busyLabel="Removing…"
            errorTitle="The authenticator was not removed"
            disabled={!signedInWithCode}
            onConfirm={async () => {
              await remove.run(undefined);
            }}
          />
          {!signedInWithCode ? (
            <span className="hint">
              Changing these needs a session signed in with a code from the app: sign out and sign in with it.
            </span>
          ) : null}
        </div>
      )}
      {begin.error ? <ErrorNotice error={begin.error} title="Could not start the set-up" /> : null}
    </section>
  );
}

function TotpConfirm({
  enrolment,
  account,
  onConfirmed,
  onCancel,
}: {
  enrolment: TotpEnrolment;
  account: string;
  onConfirmed: (recoveryCodes: readonly string[]) => void;
  onCancel: () => void;
}) {
  const [code, setCode] = useState('');
  const confirm = useApiMutation({
    run: (body: { code: string }) => unwrap(api.POST('/api/v1/account/totp/confirm', { body })),
    invalidates: [PROFILE_KEY],
    onSuccess: (result) => onConfirmed(result.recoveryCodes),
  });

  return (
    <div className="inline-form" role="region" aria-label="Set up the authenticator">
      <TotpEnrolmentView enrolment={enrolment} account={account} />
      <Form
        ariaLabel="Confirm the authenticator"
        onSubmit={() => void confirm.run({ code }).catch(() => setCode(''))}
        pending={confirm.pending}
        error={confirm.error}
        errorTitle="The authenticator is not set up yet"
        submitLabel="Confirm"
        busyLabel="Confirming…"
        extraActions={
          <button
            type="button"
            className="button button-secondary"
            onClick={onCancel}
            disabled={confirm.pending}
          >
            Cancel
          </button>
        }
      >
        <div className="field-code">
          <Field id="totp-confirm-code" label="Code from the app">
            <TotpCodeInput id="totp-confirm-code" value={code} onChange={setCode} />
          </Field>
        </div>
      </Form>
    </div>
  );
}
