import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { createPasskey, passkeysSupported } from '../auth/passkeys';
import { reloadProfile } from '../auth/profile';
import { useSession, type OperatorProfile } from '../auth/session';
import { signOut } from '../auth/signOut';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { SessionTable } from '../components/SessionTable';
import { StatusPill } from '../components/StatusPill';
import { TotpEnrolmentView } from '../components/TotpEnrolmentView';
import { formatDateTime } from '../format';
import { acrTone, describeAmr, type LiveSession } from '../identity';
import { navigate } from '../router';
import { useInstitutions } from '../useInstitutions';

type TotpEnrolment = Schemas['TotpEnrolment'];
type Passkey = Schemas['Passkey'];

const TOTP_STATE = {
  none: { label: 'not set up', tone: 'neutral' },
  pending: { label: 'not confirmed', tone: 'warn' },
  active: { label: 'active', tone: 'good' },
} as const;

export function AccountPage() {
  const { operator } = useSession();
  const [error, setError] = useState<ApiError | null>(null);

  // The profile in the session is from the sign-in; factors may have changed since (another tab, an officer).
  useEffect(() => {
    const controller = new AbortController();
    reloadProfile(controller.signal).catch((caught: unknown) => {
      if (!isAbort(caught)) setError(asApiError(caught));
    });
    return () => controller.abort();
  }, []);

  // Deep link from the passkey banner.
  const ready = operator !== null;
  useEffect(() => {
    if (ready && window.location.hash === '#passkeys') document.getElementById('passkeys')?.scrollIntoView();
  }, [ready]);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>My account</h1>
          {operator ? (
            <p className="page-subtitle">
              {operator.displayName} · <code>{operator.username}</code>
            </p>
          ) : null}
        </div>
      </div>
      {error ? <ErrorNotice error={error} title="Could not load your profile" /> : null}
      {operator ? (
        <>
          <div className="cards">
            <ProfileCard operator={operator} />
            <ThisSessionCard operator={operator} />
          </div>
          <TotpSection operator={operator} />
          <PasskeysSection operator={operator} />
          <PasswordSection />
          <MySessionsSection />
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </>
  );
}

function RoleList({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <span className="muted">none</span>;
  return (
    <>
      {roles.map((role) => (
        <span key={role} className="role">
          {role}
        </span>
      ))}
    </>
  );
}

function ProfileCard({ operator }: { operator: OperatorProfile }) {
  const { institutions } = useInstitutions();
  const institution = institutions.find((i) => i.id === operator.institutionId);
  return (
    <section className="card" aria-labelledby="card-profile">
      <h2 id="card-profile">Profile</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{operator.displayName}</dd>
        <dt>Username</dt>
        <dd>
          <code>{operator.username}</code>
        </dd>
        <dt>Kind</dt>
        <dd>{operator.kind}</dd>
        <dt>Designation</dt>
        <dd>{operator.designation ?? <span className="muted">—</span>}</dd>
        <dt>Institution</dt>
        <dd className="break">
          {operator.institutionId ? (
            (institution?.name ?? <code>{operator.institutionId}</code>)
          ) : (
            <span className="muted">national</span>
          )}
        </dd>
        <dt>Last sign-in</dt>
        <dd>
          {operator.lastLoginAt ? (
            <time dateTime={operator.lastLoginAt}>{formatDateTime(operator.lastLoginAt)}</time>
          ) : (
            <span className="muted">never</span>
          )}
        </dd>
      </dl>
    </section>
  );
}

function ThisSessionCard({ operator }: { operator: OperatorProfile }) {
  return (
    <section className="card" aria-labelledby="card-this-session">
      <h2 id="card-this-session">This session</h2>
      <dl className="facts">
        <dt>Signed in with</dt>
        <dd>{describeAmr(operator.amr)}</dd>
        <dt>Assurance</dt>
        <dd>
          {operator.acr ? (
            <StatusPill
              value={operator.acr}
              tone={acrTone(operator.acr)}
              label="Authenticator assurance level"
            />
          ) : (
            <span className="muted">—</span>
          )}
        </dd>
        <dt>Roles</dt>
        <dd>
          <RoleList roles={operator.roles} />
        </dd>
        {operator.withheldRoles.length > 0 ? (
          <>
            <dt>Withheld</dt>
            <dd>
              <RoleList roles={operator.withheldRoles} />
              <span className="hint"> until you sign in with a passkey</span>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** Self-service TOTP: enrol (QR, secret, first code), the recovery codes shown once, regenerate, remove. */
function TotpSection({ operator }: { operator: OperatorProfile }) {
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [codes, setCodes] = useState<readonly string[] | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const state = operator.factors.totp;
  const signedInWithCode = operator.amr.includes('otp');

  const begin = async (): Promise<void> => {
    setStarting(true);
    setError(null);
    try {
      setEnrolment(await unwrap(api.POST('/api/v1/account/totp')));
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setStarting(false);
    }
  };

  const confirmed = (recoveryCodes: readonly string[]): void => {
    setEnrolment(null);
    setCodes(recoveryCodes);
    void reloadProfile().catch(() => undefined);
  };

  return (
    <section className="card form-card card-stacked" aria-labelledby="totp-heading">
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
          onConfirmed={confirmed}
          onCancel={() => setEnrolment(null)}
        />
      ) : state !== 'active' ? (
        <div className="card-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => void begin()}
            disabled={starting}
            aria-busy={starting}
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
              setCodes((await unwrap(api.POST('/api/v1/account/recovery-codes'))).recoveryCodes);
              await reloadProfile();
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
              await unwrap(api.DELETE('/api/v1/account/totp'));
              await reloadProfile();
            }}
          />
          {!signedInWithCode ? (
            <span className="hint">
              Changing these needs a session signed in with a code from the app: sign out and sign in with it.
            </span>
          ) : null}
        </div>
      )}
      {error ? <ErrorNotice error={error} title="Could not start the set-up" /> : null}
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
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    try {
      const { recoveryCodes } = await unwrap(api.POST('/api/v1/account/totp/confirm', { body: { code } }));
      onConfirmed(recoveryCodes);
    } catch (caught) {
      setError(asApiError(caught));
      setCode('');
      setSubmitting(false);
    }
  };

  return (
    <div className="inline-form" role="region" aria-label="Set up the authenticator">
      <TotpEnrolmentView enrolment={enrolment} account={account} />
      <form onSubmit={(event) => void submit(event)} aria-label="Confirm the authenticator">
        <div className="field field-code">
          <label htmlFor="totp-confirm-code">Code from the app</label>
          <input
            id="totp-confirm-code"
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
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="button button-secondary" onClick={onCancel} disabled={submitting}>
            Cancel
          </button>
        </div>
        {error ? <ErrorNotice error={error} title="The authenticator is not set up yet" /> : null}
      </form>
    </div>
  );
}

const DEVICE_TYPES: Record<string, string> = {
  singleDevice: 'this device only',
  multiDevice: 'synced',
};

function PasskeysSection({ operator }: { operator: OperatorProfile }) {
  const [passkeys, setPasskeys] = useState<Passkey[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    unwrap(api.GET('/api/v1/account/passkeys', { signal: controller.signal })).then(
      (list) => {
        setPasskeys(list.passkeys);
        setError(null);
      },
      (caught: unknown) => {
        if (!isAbort(caught)) setError(asApiError(caught));
      },
    );
    return () => controller.abort();
  }, [generation]);

  const changed = (): void => {
    setGeneration((g) => g + 1);
    void reloadProfile().catch(() => undefined);
  };

  return (
    <section id="passkeys" className="card form-card card-stacked" aria-labelledby="passkeys-heading">
      <h2 id="passkeys-heading">Passkeys</h2>
      <p className="card-lead">
        A passkey signs you in without a password and cannot be phished: it works only on this NOC&rsquo;s
        address. {operator.passkeyRequired ? 'Your roles need one.' : ''}
      </p>
      {error ? <ErrorNotice error={error} title="Could not load your passkeys" /> : null}
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
              <tr key={p.id}>
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
                      await unwrap(
                        api.DELETE('/api/v1/account/passkeys/{id}', { params: { path: { id: p.id } } }),
                      );
                      changed();
                    }}
                  />
                </td>
              </tr>
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
      <AddPasskeyForm onAdded={changed} />
    </section>
  );
}

function AddPasskeyForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const supported = passkeysSupported();

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    setAdded(null);
    try {
      const options = await unwrap(api.POST('/api/v1/account/passkeys/options'));
      const response = await createPasskey(options);
      const passkey = await unwrap(
        api.POST('/api/v1/account/passkeys', { body: { name: name.trim() || 'Passkey', response } }),
      );
      setAdded(passkey.name);
      setName('');
      onAdded();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  if (!supported) return <p className="card-note muted">This browser cannot create passkeys.</p>;
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label="Add a passkey">
      <div className="filters">
        <div className="field field-inline field-grow">
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
        <button type="submit" className="button button-primary" disabled={submitting} aria-busy={submitting}>
          {submitting ? 'Waiting for the authenticator…' : 'Add a passkey'}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {added ? <p className="success-text">Added the passkey “{added}”.</p> : null}
      </div>
      {error ? <ErrorNotice error={error} title="The passkey was not added" /> : null}
    </form>
  );
}

const EMPTY_PASSWORDS = { current: '', next: '', repeat: '' };

function PasswordSection() {
  const [form, setForm] = useState(EMPTY_PASSWORDS);
  const [submitting, setSubmitting] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const mismatch = form.repeat !== '' && form.repeat !== form.next;

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting || form.next !== form.repeat) return;
    setSubmitting(true);
    setError(null);
    setDone(false);
    try {
      await unwrap(
        api.POST('/api/v1/auth/password', {
          body: { currentPassword: form.current, newPassword: form.next },
        }),
      );
      setForm(EMPTY_PASSWORDS);
      setDone(true);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  const set =
    (key: keyof typeof EMPTY_PASSWORDS) =>
    (event: { target: { value: string } }): void => {
      setForm((f) => ({ ...f, [key]: event.target.value }));
      setDone(false);
    };

  return (
    <section className="card form-card card-stacked" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form onSubmit={(event) => void submit(event)} aria-label="Change your password">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="password-current">Current password</label>
            <input
              id="password-current"
              type="password"
              autoComplete="current-password"
              required
              value={form.current}
              onChange={set('current')}
            />
          </div>
          <div className="field">
            <label htmlFor="password-next">New password</label>
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
            <span id="password-next-hint" className="hint">
              At least 12 characters; not your name or username.
            </span>
          </div>
          <div className="field">
            <label htmlFor="password-repeat">Repeat the new password</label>
            <input
              id="password-repeat"
              type="password"
              autoComplete="new-password"
              required
              aria-invalid={mismatch}
              value={form.repeat}
              onChange={set('repeat')}
            />
            {mismatch ? <span className="hint field-error">The two passwords differ.</span> : null}
          </div>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Changing…' : 'Change password'}
          </button>
          <div role="status" aria-live="polite">
            {done ? (
              <p className="success-text">Your password was changed; your other sessions ended.</p>
            ) : null}
          </div>
        </div>
        {error ? <ErrorNotice error={error} title="The password was not changed" /> : null}
      </form>
    </section>
  );
}

function MySessionsSection() {
  const [sessions, setSessions] = useState<LiveSession[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(async (signal?: AbortSignal): Promise<void> => {
    try {
      setSessions((await unwrap(api.GET('/api/v1/account/sessions', { signal }))).sessions);
      setError(null);
    } catch (caught) {
      if (!isAbort(caught)) setError(asApiError(caught));
    }
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load]);

  const end = async (s: LiveSession): Promise<void> => {
    if (s.current) {
      await signOut();
      navigate('/login');
      return;
    }
    await unwrap(api.DELETE('/api/v1/sessions/{id}', { params: { path: { id: s.id } } }));
    await load();
  };

  return (
    <section className="account-sessions" aria-labelledby="my-sessions-heading">
      <div className="section-header">
        <h2 id="my-sessions-heading">My sessions</h2>
        <button type="button" className="button button-secondary button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorNotice error={error} title="Could not load your sessions" /> : null}
      <SessionTable
        sessions={sessions ?? (error ? [] : null)}
        caption="Your live sessions"
        actionLabel={(s) => (s.current ? 'Sign out' : 'Sign out this session')}
        onAction={end}
        empty={error ? 'Your sessions could not be loaded.' : 'No live session.'}
      />
    </section>
  );
}
