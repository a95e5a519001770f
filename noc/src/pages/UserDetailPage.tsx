import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { signOut } from '../auth/signOut';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { FactorSummary } from '../components/FactorSummary';
import { InstitutionSelect } from '../components/InstitutionSelect';
import { OneTimeSecret } from '../components/OneTimeSecret';
import { RoleCheckboxes } from '../components/RoleCheckboxes';
import { SessionTable } from '../components/SessionTable';
import { StatusPill } from '../components/StatusPill';
import { formatDateTime } from '../format';
import {
  hasRole,
  INSTITUTION_SCOPED_ROLES,
  institutionNames,
  type Institution,
  type LiveSession,
  type Role,
  type User,
} from '../identity';
import { Link, navigate } from '../router';
import { useInstitutions } from '../useInstitutions';

const MIN_REASON = 3;
const MAX_REASON = 500;

const when = (value: string | null, none = 'never') =>
  value ? <time dateTime={value}>{formatDateTime(value)}</time> : <span className="muted">{none}</span>;

export function UserDetailPage({ id }: { id: string }) {
  const { operator } = useSession();
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const { institutions } = useInstitutions();
  const controllerRef = useRef<AbortController | null>(null);
  const [sessionsGeneration, setSessionsGeneration] = useState(0);

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    try {
      setUser(
        await unwrap(api.GET('/api/v1/users/{id}', { params: { path: { id } }, signal: controller.signal })),
      );
      setError(null);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(false);
      }
    }
  }, [id]);

  useEffect(() => {
    void load();
    return () => controllerRef.current?.abort();
  }, [load]);

  // Changes that end the user's sessions (disable, reset, roles) also refresh the sessions table.
  const changed = (next: User): void => {
    setUser(next);
    setSessionsGeneration((g) => g + 1);
  };

  const notFound = error?.status === 404;
  // As on the server: security officers manage anyone but a super-admin; roles are a super-admin's.
  const canManage =
    user !== null &&
    hasRole(operator, user.roles.includes('super-admin') ? 'super-admin' : 'security-officer');
  const names = institutionNames(institutions);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/users">← Users</Link>
      </p>
      <div className="page-header">
        <div>
          <h1>{user ? user.displayName : notFound ? 'User not found' : 'User'}</h1>
          {user ? (
            <p className="page-subtitle">
              <code>{user.username}</code> <StatusPill value={user.kind} />
              <StatusPill value={user.status} tone={user.status === 'active' ? 'good' : 'bad'} />
              {user.passwordClosed ? <StatusPill value="under attack" tone="bad" /> : null}
              {user.mustChangePassword ? <StatusPill value="must change password" tone="warn" /> : null}
              {user.totpEnrolmentRequired ? (
                <StatusPill value="enrols a new authenticator" tone="warn" />
              ) : null}
            </p>
          ) : null}
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => {
              void load();
              setSessionsGeneration((g) => g + 1);
            }}
            disabled={loading}
          >
            Refresh
          </button>
        </div>
      </div>

      {error ? (
        <ErrorNotice error={error} title={notFound ? 'No user with this id' : 'Could not load the user'} />
      ) : null}
      {user === null && loading ? <p className="muted">Loading…</p> : null}

      {user ? (
        <>
          <div className="cards">
            <section className="card" aria-labelledby="card-account">
              <h2 id="card-account">Account</h2>
              <dl className="facts">
                <dt>Username</dt>
                <dd>
                  <code>{user.username}</code>
                </dd>
                <dt>Designation</dt>
                <dd>{user.designation ?? <span className="muted">—</span>}</dd>
                <dt>Institution</dt>
                <dd>
                  {user.institutionId ? (
                    (names.get(user.institutionId) ?? <code>{user.institutionId}</code>)
                  ) : (
                    <span className="muted">national</span>
                  )}
                </dd>
                <dt>Email</dt>
                <dd className="break">{user.email ?? <span className="muted">—</span>}</dd>
                <dt>Phone</dt>
                <dd>{user.phone ?? <span className="muted">—</span>}</dd>
                <dt>Roles</dt>
                <dd>
                  {user.roles.length ? (
                    user.roles.map((role) => (
                      <span key={role} className="role">
                        {role}
                      </span>
                    ))
                  ) : (
                    <span className="muted">none</span>
                  )}
                </dd>
                <dt>Created</dt>
                <dd>{when(user.createdAt)}</dd>
              </dl>
            </section>
            <SignInCard user={user} canManage={canManage} onChanged={changed} />
            <StatusCard
              key={`${user.id}-${user.status}`}
              user={user}
              canManage={canManage && user.id !== operator?.id}
              onChanged={changed}
            />
          </div>
          {canManage ? (
            <>
              <EditUserForm
                key={user.id}
                user={user}
                institutions={institutions}
                canGrantRoles={hasRole(operator, 'super-admin')}
                onSaved={changed}
              />
              <div className="cards cards-spaced">
                <PasswordResetCard user={user} onReset={changed} />
                {user.id !== operator?.id ? <FactorResetCard user={user} onChanged={changed} /> : null}
              </div>
            </>
          ) : null}
          <UserSessions
            user={user}
            generation={sessionsGeneration}
            canRevoke={hasRole(operator, 'security-officer')}
          />
        </>
      ) : null}
    </>
  );
}

/**
 * How the user signs in: the password step (closed after the guess limit: under attack) with reopen, the
 * failures and the factors enrolled.
 */
function SignInCard({
  user,
  canManage,
  onChanged,
}: {
  user: User;
  canManage: boolean;
  onChanged: (u: User) => void;
}) {
  const closed = user.passwordClosed;
  return (
    <section className="card" aria-labelledby="card-sign-in">
      <h2 id="card-sign-in">Sign-in</h2>
      <dl className="facts">
        <dt>Password step</dt>
        <dd>
          {closed ? (
            <>
              <StatusPill value="under attack" tone="bad" /> closed since {when(user.passwordClosedAt)}
            </>
          ) : (
            <StatusPill value="open" tone="good" />
          )}
        </dd>
        <dt>Failed sign-ins</dt>
        <dd>{user.failedLogins} in a row</dd>
        <dt>Second factor</dt>
        <dd>
          <FactorSummary factors={user.factors} />
        </dd>
        {user.factors.totp === 'active' ? (
          <>
            <dt>Recovery codes</dt>
            <dd>{user.factors.recoveryCodesLeft} unused</dd>
          </>
        ) : null}
        <dt>Password set</dt>
        <dd>{when(user.passwordChangedAt)}</dd>
        <dt>Last sign-in</dt>
        <dd>{when(user.lastLoginAt)}</dd>
      </dl>
      {closed ? (
        <p className="card-lead">
          Someone made too many failed sign-ins. {user.username} is not locked out: the password is accepted
          after a passkey, the SIM or the device. Nothing is guessed meanwhile.
        </p>
      ) : null}
      {canManage && (closed || user.failedLogins > 0) ? (
        <div className="card-actions">
          <ConfirmButton
            label={closed ? 'Reopen the password step' : 'Reset the failure count'}
            question={
              closed
                ? 'The password alone works again, and guessing can resume. Check the audit log first.'
                : 'The count of failed sign-ins starts again from zero.'
            }
            confirmLabel={closed ? 'Reopen it' : 'Reset count'}
            busyLabel="Reopening…"
            errorTitle="The password step was not reopened"
            tone="primary"
            onConfirm={async () =>
              onChanged(
                await unwrap(api.POST('/api/v1/users/{id}/unlock', { params: { path: { id: user.id } } })),
              )
            }
          />
        </div>
      ) : null}
    </section>
  );
}

/** Disable or enable, with the reason the audit log keeps; disabling ends every session at once. */
function StatusCard({
  user,
  canManage,
  onChanged,
}: {
  user: User;
  canManage: boolean;
  onChanged: (u: User) => void;
}) {
  const action = user.status === 'active' ? 'disable' : 'enable';
  const verb = action === 'disable' ? 'Disable' : 'Enable';
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (open) reasonRef.current?.focus();
  }, [open]);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (submitting || trimmed.length < MIN_REASON) return;
    setSubmitting(true);
    setError(null);
    try {
      const options = { params: { path: { id: user.id } }, body: { reason: trimmed } };
      onChanged(
        await unwrap(
          action === 'disable'
            ? api.POST('/api/v1/users/{id}/disable', options)
            : api.POST('/api/v1/users/{id}/enable', options),
        ),
      ); // re-keys this card: the form closes and the other action appears
    } catch (caught) {
      setError(asApiError(caught));
      setSubmitting(false);
    }
  };

  return (
    <section className="card" aria-labelledby="card-status">
      <h2 id="card-status">Status</h2>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusPill value={user.status} tone={user.status === 'active' ? 'good' : 'bad'} />
        </dd>
        {user.statusReason ? (
          <>
            <dt>{user.status === 'disabled' ? 'Disabled because' : 'Last reason'}</dt>
            <dd className="break">{user.statusReason}</dd>
          </>
        ) : null}
        <dt>Updated</dt>
        <dd>{when(user.updatedAt)}</dd>
      </dl>
      {!canManage ? null : !open ? (
        <div className="card-actions">
          <button
            type="button"
            className={action === 'disable' ? 'button button-danger' : 'button button-primary'}
            onClick={() => setOpen(true)}
            aria-expanded={false}
          >
            {verb}
          </button>
        </div>
      ) : (
        <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label={`${verb} user`}>
          <div className="field">
            <label htmlFor="status-reason">
              Reason <span className="optional">(kept in the audit log)</span>
            </label>
            <textarea
              ref={reasonRef}
              id="status-reason"
              rows={2}
              required
              minLength={MIN_REASON}
              maxLength={MAX_REASON}
              aria-describedby="status-reason-hint"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
            <span id="status-reason-hint" className="hint">
              At least {MIN_REASON} characters.
              {action === 'disable' ? ' Every session of the user ends at once.' : ''}
            </span>
          </div>
          <div className="form-actions">
            <button
              type="submit"
              className={action === 'disable' ? 'button button-danger' : 'button button-primary'}
              disabled={submitting || reason.trim().length < MIN_REASON}
              aria-busy={submitting}
            >
              {submitting ? `${verb.slice(0, -1)}ing…` : `Confirm ${action}`}
            </button>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => {
                setOpen(false);
                setReason('');
                setError(null);
              }}
              disabled={submitting}
            >
              Cancel
            </button>
          </div>
          {error ? <ErrorNotice error={error} title={`Could not ${action} the user`} /> : null}
        </form>
      )}
    </section>
  );
}

function EditUserForm({
  user,
  institutions,
  canGrantRoles,
  onSaved,
}: {
  user: User;
  institutions: Institution[];
  canGrantRoles: boolean;
  onSaved: (u: User) => void;
}) {
  const initial = {
    displayName: user.displayName,
    designation: user.designation ?? '',
    institution: user.institutionId ?? '',
    email: user.email ?? '',
    phone: user.phone ?? '',
  };
  const [form, setForm] = useState(initial);
  const [roles, setRoles] = useState<Role[]>(user.roles as Role[]);
  const [submitting, setSubmitting] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const scoped = form.institution !== '';
  const grantedRoles = roles.filter((r) => !scoped || INSTITUTION_SCOPED_ROLES.includes(r));
  const rolesChanged =
    user.kind === 'operator' &&
    canGrantRoles &&
    [...grantedRoles].sort().join() !== [...user.roles].sort().join();

  const set =
    (key: keyof typeof initial) =>
    (event: { target: { value: string } }): void => {
      setForm((f) => ({ ...f, [key]: event.target.value }));
      setSaved(false);
    };

  /** Only what changed is sent: an untouched field is never rewritten (nor audited as changed). */
  const patch = (): Schemas['UpdateUser'] => {
    const text = (value: string) => value.trim() || null;
    const body: Schemas['UpdateUser'] = {};
    if (form.displayName.trim() !== user.displayName) body.displayName = form.displayName.trim();
    if (text(form.designation) !== user.designation) body.designation = text(form.designation);
    if (text(form.email) !== user.email) body.email = text(form.email);
    if (text(form.phone) !== user.phone) body.phone = text(form.phone);
    if ((form.institution || null) !== user.institutionId) body.institution = form.institution || null;
    if (rolesChanged) body.roles = grantedRoles;
    return body;
  };

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const body = patch();
    if (submitting || Object.keys(body).length === 0) return;
    setSubmitting(true);
    setError(null);
    try {
      onSaved(await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body })));
      setSaved(true);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section className="card form-card card-stacked" aria-labelledby="edit-user-heading">
      <h2 id="edit-user-heading">Edit profile</h2>
      <form onSubmit={(event) => void submit(event)} aria-label="Edit profile">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="edit-user-name">Display name</label>
            <input
              id="edit-user-name"
              autoComplete="off"
              required
              maxLength={200}
              value={form.displayName}
              onChange={set('displayName')}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-user-designation">Designation</label>
            <input
              id="edit-user-designation"
              autoComplete="off"
              maxLength={200}
              value={form.designation}
              onChange={set('designation')}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-user-institution">Institution</label>
            <InstitutionSelect
              id="edit-user-institution"
              value={form.institution}
              onChange={(institution) => {
                setForm((f) => ({ ...f, institution }));
                setSaved(false);
              }}
              institutions={institutions}
              {...(user.kind === 'operator' ? { noneLabel: 'None (national)' } : {})}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-user-email">Email</label>
            <input
              id="edit-user-email"
              type="email"
              autoComplete="off"
              maxLength={254}
              value={form.email}
              onChange={set('email')}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-user-phone">Phone</label>
            <input
              id="edit-user-phone"
              type="tel"
              autoComplete="off"
              pattern="\+?[0-9 \(\)\-]{5,20}"
              title="A phone number such as +92 51 1234567"
              value={form.phone}
              onChange={set('phone')}
            />
          </div>
        </div>
        {user.kind === 'operator' ? (
          <>
            <RoleCheckboxes
              idPrefix="edit-user-role"
              value={roles}
              onChange={(next) => {
                setRoles(next);
                setSaved(false);
              }}
              scoped={scoped}
              disabled={!canGrantRoles}
            />
            <p className="hint">
              {canGrantRoles
                ? 'Changing the roles ends the user’s sessions: the new roles apply from the next sign-in.'
                : 'Granting roles needs the super-admin role.'}
            </p>
          </>
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Saving…' : 'Save changes'}
          </button>
          <div role="status" aria-live="polite">
            {saved ? <p className="success-text">Saved.</p> : null}
          </div>
        </div>
        {error ? <ErrorNotice error={error} title="The changes were not saved" /> : null}
      </form>
    </section>
  );
}

/** A generated temporary password, shown once; the user must replace it at the next sign-in. */
function PasswordResetCard({ user, onReset }: { user: User; onReset: (u: User) => void }) {
  const [temporary, setTemporary] = useState<string | null>(null);
  return (
    <section className="card" aria-labelledby="card-password-reset">
      <h2 id="card-password-reset">Password</h2>
      <p className="card-lead">
        A reset sets a temporary password, ends every session of {user.username} and makes them choose a new
        password at the next sign-in. Their second factors stay; it reopens a closed password step.
      </p>
      {temporary ? (
        <OneTimeSecret
          title="Temporary password"
          lead={`Give it to ${user.displayName} in person or over a trusted channel. It is shown only now.`}
          values={[temporary]}
          label={`Temporary password of ${user.username}`}
          onDone={() => setTemporary(null)}
        />
      ) : (
        <div className="card-actions">
          <ConfirmButton
            label="Reset password"
            question={`The current password of ${user.username} stops working and their sessions end.`}
            confirmLabel="Reset it"
            busyLabel="Resetting…"
            errorTitle="The password was not reset"
            onConfirm={async () => {
              const result = await unwrap(
                api.POST('/api/v1/users/{id}/password-reset', {
                  params: { path: { id: user.id } },
                  body: {},
                }),
              );
              setTemporary(result.temporaryPassword);
              onReset(result.user);
            }}
          />
        </div>
      )}
    </section>
  );
}

/** Officials and institution operators: one administrator resets; national roles: two (as on the server). */
const NATIONAL = (user: User) =>
  user.kind === 'operator' && user.roles.some((r) => !INSTITUTION_SCOPED_ROLES.includes(r as Role));

/**
 * Second factors are removed, never issued: the user enrols a new authenticator at the next sign-in. For an
 * operator with a national role the reset waits for a second administrator, and each holds half of the
 * one-time password.
 */
function FactorResetCard({ user, onChanged }: { user: User; onChanged: (u: User) => void }) {
  const twoPerson = NATIONAL(user);
  const [reason, setReason] = useState('');
  const [withPassword, setWithPassword] = useState(true);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<Schemas['FactorResetResult'] | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (submitting || trimmed.length < MIN_REASON) return;
    setSubmitting(true);
    setError(null);
    try {
      const r = await unwrap(
        api.POST('/api/v1/users/{id}/factor-reset', {
          params: { path: { id: user.id } },
          body: { reason: trimmed, password: twoPerson || withPassword },
        }),
      );
      setResult(r);
      setReason('');
      onChanged(r.user);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  const secret = result?.temporaryPassword ?? result?.temporaryPasswordPart ?? null;
  return (
    <section className="card" aria-labelledby="card-factor-reset">
      <h2 id="card-factor-reset">Second factors</h2>
      {result ? (
        <>
          <p className="card-lead" role="status">
            {result.status === 'pending'
              ? `Asked: another administrator must approve the reset of ${user.username} (Users page).`
              : `Removed the authenticator and passkeys of ${user.username}: they enrol a new authenticator at the next sign-in.`}
          </p>
          {secret ? (
            <OneTimeSecret
              title={
                result.status === 'pending' ? 'First half of the one-time password' : 'One-time password'
              }
              lead={
                result.status === 'pending'
                  ? `Give it to ${user.displayName} yourself; the approving administrator gives the second half. They type your half first. Shown only now.`
                  : `Give it to ${user.displayName} in person or over a trusted channel. It is shown only now.`
              }
              values={[secret]}
              label={`${result.status === 'pending' ? 'First half of the one-time password' : 'One-time password'} of ${user.username}`}
              onDone={() => setResult(null)}
            />
          ) : (
            <div className="form-actions">
              <button type="button" className="button button-secondary" onClick={() => setResult(null)}>
                Done
              </button>
            </div>
          )}
        </>
      ) : (
        <form
          className="inline-form"
          onSubmit={(event) => void submit(event)}
          aria-label="Reset second factors"
        >
          <p className="card-lead">
            For a lost or stolen phone: removes the authenticator (TOTP), the recovery codes and the passkeys
            and ends every session. Administrators never receive a new factor: {user.username} enrols a new
            authenticator at the next sign-in.
            {twoPerson
              ? ' This operator holds a national role: a second administrator must approve, and each of you gives the user half of the one-time password.'
              : ''}
          </p>
          <div className="field">
            <label htmlFor="factor-reset-reason">
              Reason <span className="optional">(shown to the approver, kept in the audit log)</span>
            </label>
            <textarea
              id="factor-reset-reason"
              rows={2}
              required
              minLength={MIN_REASON}
              maxLength={MAX_REASON}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
          {twoPerson ? null : (
            <ul className="checkbox-list">
              <li>
                <input
                  id="factor-reset-password"
                  type="checkbox"
                  checked={withPassword}
                  onChange={(event) => setWithPassword(event.target.checked)}
                />
                <label htmlFor="factor-reset-password">Also set a one-time password</label>
              </li>
            </ul>
          )}
          <div className="form-actions">
            <button
              type="submit"
              className="button button-danger"
              disabled={submitting || reason.trim().length < MIN_REASON}
              aria-busy={submitting}
            >
              {twoPerson ? 'Ask for a factor reset' : 'Reset second factors'}
            </button>
          </div>
          {error ? <ErrorNotice error={error} title="The factors were not reset" /> : null}
        </form>
      )}
    </section>
  );
}

function UserSessions({
  user,
  generation,
  canRevoke,
}: {
  user: User;
  generation: number;
  canRevoke: boolean;
}) {
  const [sessions, setSessions] = useState<LiveSession[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [revoked, setRevoked] = useState<number | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal): Promise<void> => {
      try {
        const list = await unwrap(
          api.GET('/api/v1/users/{id}/sessions', { params: { path: { id: user.id } }, signal }),
        );
        setSessions(list.sessions);
        setError(null);
      } catch (caught) {
        if (!isAbort(caught)) setError(asApiError(caught));
      }
    },
    [user.id],
  );

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [load, generation]);

  const revoke = async (s: LiveSession): Promise<void> => {
    if (s.current) {
      await signOut();
      navigate('/login');
      return;
    }
    await unwrap(api.DELETE('/api/v1/sessions/{id}', { params: { path: { id: s.id } } }));
    await load();
  };

  const count = sessions?.length ?? 0;
  return (
    <section className="account-sessions" aria-labelledby="user-sessions-heading">
      <div className="section-header">
        <h2 id="user-sessions-heading">Sessions</h2>
        {canRevoke && count > 0 ? (
          <ConfirmButton
            label="Revoke all"
            question={`Every session of ${user.username} ends at once${sessions?.some((s) => s.current) ? ', including yours' : ''}.`}
            confirmLabel={`Revoke ${count} ${count === 1 ? 'session' : 'sessions'}`}
            busyLabel="Revoking…"
            errorTitle="The sessions were not revoked"
            small
            onConfirm={async () => {
              const result = await unwrap(
                api.DELETE('/api/v1/users/{id}/sessions', { params: { path: { id: user.id } } }),
              );
              setRevoked(result.revoked);
              await load();
            }}
          />
        ) : null}
      </div>
      <div role="status" aria-live="polite">
        {revoked !== null ? (
          <p className="success-text">
            Revoked {revoked} {revoked === 1 ? 'session' : 'sessions'}.
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="Could not load the sessions" /> : null}
      <SessionTable
        sessions={sessions ?? (error ? [] : null)}
        caption={`Live sessions of ${user.username}`}
        actionLabel={(s) => (s.current ? 'Sign out' : canRevoke ? 'Revoke' : null)}
        onAction={revoke}
        empty={error ? 'The sessions could not be loaded.' : `${user.username} is not signed in anywhere.`}
      />
    </section>
  );
}
