import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { createPasskey, passkeysSupported } from '../../auth/passkeys';
import type { OperatorProfile } from '../../auth/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Form } from '../../components/Form';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { accountQueries, PASSKEYS_KEY, PROFILE_KEY } from './queries';

type Passkey = Schemas['Passkey'];

const DEVICE_TYPES: Record<string, string> = {
  singleDevice: 'this device only',
  multiDevice: 'synced',
};

/** A passkey change also changes the profile (passkeyRequired, withheld roles): both are refetched. */
const INVALIDATES = [PASSKEYS_KEY, PROFILE_KEY];

export function PasskeysSection({ operator }: { operator: OperatorProfile }) {
  const query = useApiQuery(accountQueries.passkeys());
  const passkeys = query.data?.passkeys ?? null;

  return (
    <section id="passkeys" className="card form-card card-stacked" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="card-lead">
        A passkey signs you in without a password and cannot be phished: it works only on this NOC&rsquo;s
        address. {operator.passkeyRequired ? 'Your roles need one.' : ''}
      </p>
      {query.error ? (
        <ErrorNotice error={query.error} title="Could not load your passkeys" onRetry={query.refresh} />
      ) : null}
      <div className="table-wrap">
        <table className="table table-compact" aria-busy={passkeys === null}>
          <caption className="visually-hidden">Your passkeys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Added</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(passkeys ?? []).map((p) => (
              <PasskeyRow key={p.id} passkey={p} />
            ))}
            {passkeys !== null && passkeys.length === 0 ? (
              <tr>
                <td colSpan={5} className="empty">
                  No passkey yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <AddPasskeyForm />
    </section>
  );
}

function PasskeyRow({ passkey: p }: { passkey: Passkey }) {
  const remove = useApiMutation({
    run: () => unwrap(api.DELETE('/api/v1/account/passkeys/{id}', { params: { path: { id: p.id } } })),
    invalidates: INVALIDATES,
  });
  return (
    <tr>
      <td>{p.name}</td>
      <td>
        {DEVICE_TYPES[p.deviceType] ?? p.deviceType}
        {p.backedUp ? <span className="muted"> · backed up</span> : null}
      </td>
      <td className="nowrap">
        <time dateTime={p.createdAt}>{formatDateTime(p.createdAt)}</time>
      </td>
      <td className="nowrap">
        {p.lastUsedAt ? (
          <time dateTime={p.lastUsedAt}>{formatDateTime(p.lastUsedAt)}</time>
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      <td>
        <ConfirmButton
          label="Remove"
          accessibleName={`Remove the passkey ${p.name}`}
          question="Sign-ins with this passkey stop working."
          confirmLabel="Remove"
          busyLabel="Removing…"
          errorTitle="The passkey was not removed"
          small
          onConfirm={async () => {
            await remove.run(undefined);
          }}
        />
      </td>
    </tr>
  );
}

function AddPasskeyForm() {
  const [name, setName] = useState('');
  const add = useApiMutation({
    run: async (label: string) => {
      const options = await unwrap(api.POST('/api/v1/account/passkeys/options'));
      const response = await createPasskey(options);
      return unwrap(api.POST('/api/v1/account/passkeys', { body: { name: label, response } }));
    },
    invalidates: INVALIDATES,
    onSuccess: () => setName(''),
  });

  if (!passkeysSupported()) return <p className="card-note muted">This browser cannot create passkeys.</p>;
  return (
    <Form
      className="inline-form"
      ariaLabel="Add a passkey"
      onSubmit={() => {
        add.reset();
        add.start(name.trim() || 'Passkey');
      }}
      pending={add.pending}
      error={add.error}
      errorTitle="The passkey was not added"
      submitLabel="Add a passkey"
      busyLabel="Waiting for the authenticator…"
      status={add.result ? <p className="success-text">Added the passkey “{add.result.name}”.</p> : null}
    >
      <div className="field">
        <label htmlFor="passkey-name">
          Name <span className="optional">(which authenticator it is)</span>
        </label>
        <input
          id="passkey-name"
          type="text"
          autoComplete="off"
          maxLength={64}
          placeholder="e.g. YubiKey 5C, work laptop"
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
      </div>
    </Form>
  );
}
