import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorNotice } from '../components/ErrorNotice';
import { FactorSummary } from '../components/FactorSummary';
import { PendingFactorResets, UnderAttack } from '../components/SecurityAlerts';
import { InstitutionSelect } from '../components/InstitutionSelect';
import { RoleCheckboxes } from '../components/RoleCheckboxes';
import { StatusPill } from '../components/StatusPill';
import { formatCount, formatDateTime } from '../format';
import {
  hasRole,
  INSTITUTION_SCOPED_ROLES,
  institutionNames,
  type Institution,
  type Role,
  type User,
} from '../identity';
import { Link, navigate, useLocation } from '../router';
import { useInstitutions } from '../useInstitutions';

const PAGE_SIZE = 25;

type UserKind = User['kind'];
type UserStatus = User['status'];

/**
 * The list's filters live in the URL, so a user's page can go back to the same view. `attack`: accounts
 * whose password step the guess limit closed (someone is guessing their password).
 */
type Filters = {
  search: string;
  kind: UserKind | '';
  status: UserStatus | '';
  attack: boolean;
  page: number;
};

function readFilters(search: URLSearchParams): Filters {
  const kind = search.get('kind');
  const status = search.get('status');
  const page = Number.parseInt(search.get('page') ?? '1', 10);
  return {
    search: search.get('search') ?? '',
    kind: kind === 'official' || kind === 'operator' ? kind : '',
    status: status === 'active' || status === 'disabled' ? status : '',
    attack: search.get('attack') === '1',
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

function filtersUrl(f: Filters): string {
  const q = new URLSearchParams();
  if (f.search) q.set('search', f.search);
  if (f.kind) q.set('kind', f.kind);
  if (f.status) q.set('status', f.status);
  if (f.attack) q.set('attack', '1');
  if (f.page > 1) q.set('page', String(f.page));
  return q.size ? `/users?${q.toString()}` : '/users';
}

export function UsersPage() {
  const { search } = useLocation();
  const filters = readFilters(search);
  const { operator } = useSession();
  const { institutions, error: institutionsError } = useInstitutions();
  const [generation, setGeneration] = useState(0);
  const [creating, setCreating] = useState(false);
  const canCreate = hasRole(operator, 'security-officer');

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Users</h1>
          <p className="page-subtitle muted">
            Officials of the institutions, who use the handsets, and the NOC operators.
          </p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => setGeneration((g) => g + 1)}
          >
            Refresh
          </button>
          {canCreate ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating(true)}
              disabled={creating}
              aria-expanded={creating}
            >
              Add a user
            </button>
          ) : null}
        </div>
      </div>

      {institutionsError ? (
        <ErrorNotice error={institutionsError} title="Could not load the institutions" />
      ) : null}

      {hasRole(operator, 'security-officer') ? <UnderAttack generation={generation} /> : null}
      {hasRole(operator, 'security-officer') ? <PendingFactorResets generation={generation} /> : null}

      {creating ? (
        <CreateUserForm
          institutions={institutions}
          canCreateOperators={hasRole(operator, 'super-admin')}
          onCreated={() => setGeneration((g) => g + 1)}
          onClose={() => setCreating(false)}
        />
      ) : null}

      <UserList
        key={filtersUrl({ ...filters, page: 1 })}
        filters={filters}
        institutions={institutions}
        generation={generation}
      />
    </>
  );
}

function UserList({
  filters,
  institutions,
  generation,
}: {
  filters: Filters;
  institutions: Institution[];
  generation: number;
}) {
  const [draft, setDraft] = useState({
    search: filters.search,
    kind: filters.kind,
    status: filters.status,
    attack: filters.attack,
  });
  const [page, setPage] = useState<Schemas['UserPage'] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const { search, kind, status, attack, page: pageNumber } = filters;
  const names = institutionNames(institutions);

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    setError(null);
    try {
      const result = await unwrap(
        api.GET('/api/v1/users', {
          params: {
            query: {
              limit: PAGE_SIZE,
              offset: (pageNumber - 1) * PAGE_SIZE,
              ...(search ? { search } : {}),
              ...(kind ? { kind } : {}),
              ...(status ? { status } : {}),
              ...(attack ? { passwordClosed: 'true' as const } : {}),
            },
          },
          signal: controller.signal,
        }),
      );
      setPage(result);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(false);
      }
    }
  }, [search, kind, status, attack, pageNumber]);

  useEffect(() => {
    void load();
  }, [load, generation]);
  useEffect(() => () => controllerRef.current?.abort(), []);

  const apply = (next: Partial<typeof draft>): void => {
    const merged = { ...draft, ...next };
    navigate(filtersUrl({ ...merged, search: merged.search.trim(), page: 1 }));
  };
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    apply({});
  };

  const total = page?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total === 0 ? 0 : (pageNumber - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, pageNumber * PAGE_SIZE);
  const rows = page?.users ?? [];
  const filtered = search !== '' || kind !== '' || status !== '' || attack;
  const goTo = (n: number): void => navigate(filtersUrl({ ...filters, page: n }));

  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">All users</h2>
      <form className="filters" role="search" aria-label="Users" onSubmit={submit}>
        <div className="field field-inline field-grow">
          <label htmlFor="user-search">Username, name or designation</label>
          <input
            id="user-search"
            type="search"
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            value={draft.search}
            onChange={(event) => setDraft({ ...draft, search: event.target.value })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="user-kind">Kind</label>
          <select
            id="user-kind"
            value={draft.kind}
            onChange={(event) => apply({ kind: event.target.value as Filters['kind'] })}
          >
            <option value="">All</option>
            <option value="official">official</option>
            <option value="operator">operator</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="user-status">Status</label>
          <select
            id="user-status"
            value={draft.status}
            onChange={(event) => apply({ status: event.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            <option value="active">active</option>
            <option value="disabled">disabled</option>
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="user-attack">Password step</label>
          <select
            id="user-attack"
            value={draft.attack ? 'closed' : ''}
            onChange={(event) => apply({ attack: event.target.value === 'closed' })}
          >
            <option value="">All</option>
            <option value="closed">closed (under attack)</option>
          </select>
        </div>
        <button type="submit" className="button button-secondary" disabled={loading}>
          Search
        </button>
      </form>

      {error ? <ErrorNotice error={error} title="Could not load the users" /> : null}

      <div className="table-wrap">
        <table className="table" aria-busy={loading}>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Institution</th>
              <th scope="col">Roles</th>
              <th scope="col">Second factor</th>
              <th scope="col">Status</th>
              <th scope="col">Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => (
              <tr key={u.id}>
                <td>
                  <Link to={`/users/${u.id}`} aria-label={`User ${u.username}, ${u.displayName}`}>
                    <code>{u.username}</code>
                  </Link>
                </td>
                <td>
                  {u.displayName}
                  {u.designation ? <div className="muted small">{u.designation}</div> : null}
                </td>
                <td>{u.kind}</td>
                <td>
                  {u.institutionId ? (
                    (names.get(u.institutionId) ?? <code>{u.institutionId}</code>)
                  ) : (
                    <span className="muted">national</span>
                  )}
                </td>
                <td>
                  {u.roles.length ? (
                    u.roles.map((role) => (
                      <span key={role} className="role">
                        {role}
                      </span>
                    ))
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  <FactorSummary factors={u.factors} />
                </td>
                <td>
                  <StatusPill value={u.status} tone={u.status === 'active' ? 'good' : 'bad'} />
                  {u.passwordClosed ? (
                    <>
                      {' '}
                      <StatusPill value="under attack" tone="bad" />
                    </>
                  ) : null}
                </td>
                <td className="nowrap">
                  {u.lastLoginAt ? (
                    <time dateTime={u.lastLoginAt}>{formatDateTime(u.lastLoginAt)}</time>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
              </tr>
            ))}
            {page !== null && rows.length === 0 && !error ? (
              <tr>
                <td colSpan={8} className="empty">
                  {filtered ? 'No user matches these filters.' : 'No user yet.'}
                </td>
              </tr>
            ) : null}
            {page === null && loading ? (
              <tr>
                <td colSpan={8} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <nav className="table-footer pagination" aria-label="User pages">
        <span className="muted" aria-live="polite">
          {total === 0 ? 'No users' : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
        </span>
        <span className="pagination-controls">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => goTo(pageNumber - 1)}
            disabled={loading || pageNumber <= 1}
          >
            Previous
          </button>
          <span className="pagination-page">
            Page {formatCount(Math.min(pageNumber, pages))} of {formatCount(pages)}
          </span>
          <button
            type="button"
            className="button button-secondary"
            onClick={() => goTo(pageNumber + 1)}
            disabled={loading || pageNumber >= pages}
          >
            Next
          </button>
        </span>
      </nav>
    </section>
  );
}

/** 16 random characters from a 64-letter alphabet (96 bits): a first password to hand over in person. */
function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

const EMPTY_USER = {
  username: '',
  displayName: '',
  designation: '',
  institution: '',
  email: '',
  phone: '',
  password: '',
};

function CreateUserForm({
  institutions,
  canCreateOperators,
  onCreated,
  onClose,
}: {
  institutions: Institution[];
  canCreateOperators: boolean;
  onCreated: () => void;
  onClose: () => void;
}) {
  const [kind, setKind] = useState<UserKind>('official');
  const [form, setForm] = useState(EMPTY_USER);
  const [roles, setRoles] = useState<Role[]>(['viewer']);
  const [showPassword, setShowPassword] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<User | null>(null);
  const firstRef = useRef<HTMLInputElement>(null);

  useEffect(() => firstRef.current?.focus(), []);

  const set =
    (key: keyof typeof EMPTY_USER) =>
    (event: { target: { value: string } }): void =>
      setForm((f) => ({ ...f, [key]: event.target.value }));
  const scoped = kind === 'operator' && form.institution !== '';
  const optional = (value: string): string | undefined => value.trim() || undefined;

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    setCreated(null);
    try {
      const user = await unwrap(
        api.POST('/api/v1/users', {
          body: {
            kind,
            username: form.username.trim(),
            displayName: form.displayName.trim(),
            password: form.password,
            designation: optional(form.designation),
            institution: optional(form.institution),
            email: optional(form.email),
            phone: optional(form.phone),
            ...(kind === 'operator'
              ? { roles: roles.filter((r) => !scoped || INSTITUTION_SCOPED_ROLES.includes(r)) }
              : {}),
          },
        }),
      );
      setCreated(user);
      setForm({ ...EMPTY_USER, institution: form.institution });
      setShowPassword(false);
      onCreated();
      firstRef.current?.focus();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section className="card form-card" aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Add a user</h2>
      <form onSubmit={(event) => void submit(event)} aria-label="Add a user">
        <fieldset className="fieldset radio-row">
          <legend>Kind</legend>
          <label>
            <input
              type="radio"
              name="user-kind"
              value="official"
              checked={kind === 'official'}
              onChange={() => setKind('official')}
            />{' '}
            Official <span className="hint">(staff of an institution)</span>
          </label>
          <label>
            <input
              type="radio"
              name="user-kind"
              value="operator"
              checked={kind === 'operator'}
              disabled={!canCreateOperators}
              onChange={() => setKind('operator')}
            />{' '}
            NOC operator{' '}
            <span className="hint">
              {canCreateOperators ? '(with roles)' : '(needs the super-admin role)'}
            </span>
          </label>
        </fieldset>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="new-user-username">Username</label>
            <input
              ref={firstRef}
              id="new-user-username"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              minLength={2}
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
              title="Letters, digits, dot, dash and underscore, starting with a letter or digit"
              value={form.username}
              onChange={set('username')}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-name">Display name</label>
            <input
              id="new-user-name"
              autoComplete="off"
              required
              maxLength={200}
              value={form.displayName}
              onChange={set('displayName')}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-designation">
              Designation <span className="optional">(optional)</span>
            </label>
            <input
              id="new-user-designation"
              autoComplete="off"
              maxLength={200}
              value={form.designation}
              onChange={set('designation')}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-institution">
              Institution{kind === 'operator' ? <span className="optional"> (optional)</span> : null}
            </label>
            <InstitutionSelect
              id="new-user-institution"
              value={form.institution}
              onChange={(institution) => setForm((f) => ({ ...f, institution }))}
              institutions={institutions}
              {...(kind === 'operator' ? { noneLabel: 'None (national)' } : {})}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-email">
              Email <span className="optional">(optional)</span>
            </label>
            <input
              id="new-user-email"
              type="email"
              autoComplete="off"
              maxLength={254}
              value={form.email}
              onChange={set('email')}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-phone">
              Phone <span className="optional">(optional)</span>
            </label>
            <input
              id="new-user-phone"
              type="tel"
              autoComplete="off"
              pattern="\+?[0-9 \(\)\-]{5,20}"
              title="A phone number such as +92 51 1234567"
              value={form.phone}
              onChange={set('phone')}
            />
          </div>
          <div className="field">
            <label htmlFor="new-user-password">First password</label>
            <input
              id="new-user-password"
              type={showPassword ? 'text' : 'password'}
              autoComplete="new-password"
              spellCheck={false}
              required
              minLength={12}
              maxLength={64}
              aria-describedby="new-user-password-hint"
              value={form.password}
              onChange={set('password')}
            />
            <span id="new-user-password-hint" className="hint">
              At least 12 characters.{' '}
              <button
                type="button"
                className="button-link"
                onClick={() => {
                  setForm((f) => ({ ...f, password: generatePassword() }));
                  setShowPassword(true);
                }}
              >
                Generate one
              </button>
            </span>
          </div>
        </div>
        {kind === 'operator' ? (
          <RoleCheckboxes idPrefix="new-user-role" value={roles} onChange={setRoles} scoped={scoped} />
        ) : null}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Creating…' : kind === 'official' ? 'Create official' : 'Create operator'}
          </button>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={submitting}>
            Close
          </button>
          <div role="status" aria-live="polite">
            {created ? (
              <p className="success-text">
                Created {created.kind} <code>{created.username}</code>.{' '}
                <Link to={`/users/${created.id}`}>Open {created.username}</Link>
              </p>
            ) : null}
          </div>
        </div>
        {error ? <ErrorNotice error={error} title="The user was not created" /> : null}
      </form>
    </section>
  );
}
