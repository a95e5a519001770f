import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, unwrap, type ApiError, type Schemas } from '../api/client';
import { useSession } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { InstitutionSelect, institutionTree } from '../components/InstitutionSelect';
import { StatusPill } from '../components/StatusPill';
import { formatCount } from '../format';
import { hasRole, institutionNames, type Institution } from '../identity';
import { useInstitutions } from '../useInstitutions';

type Phase = Institution['rolloutPhase'];
type Scope = Institution['directoryScope'];
type Kind = Institution['kind'];

const PHASES: readonly { value: Phase; label: string }[] = [
  { value: 'pilot', label: 'pilot' },
  { value: 'federal-ministries', label: 'federal ministries' },
  { value: 'nationwide', label: 'nationwide' },
];

/** What an official of the institution finds in the directory. */
const SCOPES: readonly { value: Scope; label: string }[] = [
  { value: 'own', label: 'own institution only' },
  { value: 'hierarchy', label: 'its ministry and departments' },
  { value: 'all', label: 'every institution' },
];

const PHASE_TONE = { pilot: 'warn', 'federal-ministries': 'neutral', nationwide: 'good' } as const;

export function InstitutionsPage() {
  const { operator } = useSession();
  const { institutions, loaded, error, reload } = useInstitutions();
  const [creating, setCreating] = useState(false);
  const canEdit = hasRole(operator, 'super-admin');
  const tree = institutionTree(institutions);
  const names = institutionNames(institutions);

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Institutions</h1>
          <p className="page-subtitle muted">
            Ministries and their departments: where officials belong, how far the rollout has reached them and
            whom their directory shows.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button button-secondary" onClick={reload}>
            Refresh
          </button>
          {canEdit ? (
            <button
              type="button"
              className="button button-primary"
              onClick={() => setCreating(true)}
              disabled={creating}
              aria-expanded={creating}
            >
              Add an institution
            </button>
          ) : null}
        </div>
      </div>

      {error ? <ErrorNotice error={error} title="Could not load the institutions" /> : null}

      {creating ? (
        <CreateInstitutionForm
          institutions={institutions}
          onCreated={reload}
          onClose={() => setCreating(false)}
        />
      ) : null}

      <section aria-labelledby="institutions-heading">
        <h2 id="institutions-heading">All institutions</h2>
        <div className="table-wrap">
          <table className="table" aria-busy={!loaded}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Ministry</th>
                <th scope="col">Rollout phase</th>
                <th scope="col">Directory shows</th>
                <th scope="col" className="num">
                  Users
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tree.map(({ institution, depth }) => (
                <InstitutionRow
                  key={`${institution.id}-${institution.updatedAt}`}
                  institution={institution}
                  depth={depth}
                  parentName={institution.parentId ? (names.get(institution.parentId) ?? null) : null}
                  hasDepartments={institutions.some((i) => i.parentId === institution.id)}
                  canEdit={canEdit}
                  onChanged={reload}
                />
              ))}
              {loaded && institutions.length === 0 ? (
                <tr>
                  <td colSpan={7} className="empty">
                    No institution yet.
                  </td>
                </tr>
              ) : null}
              {!loaded && !error ? (
                <tr>
                  <td colSpan={7} className="empty">
                    Loading…
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        {loaded ? (
          <p className="table-footer muted">
            {formatCount(institutions.length)} {institutions.length === 1 ? 'institution' : 'institutions'}
          </p>
        ) : null}
      </section>
    </>
  );
}

function InstitutionRow({
  institution,
  depth,
  parentName,
  hasDepartments,
  canEdit,
  onChanged,
}: {
  institution: Institution;
  depth: number;
  parentName: string | null;
  hasDepartments: boolean;
  canEdit: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [phase, setPhase] = useState<Phase>(institution.rolloutPhase);
  const [scope, setScope] = useState<Scope>(institution.directoryScope);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const phaseRef = useRef<HTMLSelectElement>(null);
  const inUse = institution.users > 0 || hasDepartments;
  const name = institution.name;

  useEffect(() => {
    if (editing) phaseRef.current?.focus();
  }, [editing]);

  const save = async (): Promise<void> => {
    setSaving(true);
    setError(null);
    try {
      await unwrap(
        api.PATCH('/api/v1/institutions/{id}', {
          params: { path: { id: institution.id } },
          body: { rolloutPhase: phase, directoryScope: scope },
        }),
      );
      onChanged(); // the row re-keys on updatedAt and leaves edit mode
    } catch (caught) {
      setError(asApiError(caught));
      setSaving(false);
    }
  };

  const scopeLabel = SCOPES.find((s) => s.value === institution.directoryScope)?.label;
  return (
    <tr>
      <th scope="row" className={depth > 0 ? 'indent' : undefined}>
        {name}
      </th>
      <td>{institution.kind}</td>
      <td>{parentName ?? <span className="muted">—</span>}</td>
      <td>
        {editing ? (
          <select
            ref={phaseRef}
            aria-label={`Rollout phase of ${name}`}
            value={phase}
            onChange={(event) => setPhase(event.target.value as Phase)}
          >
            {PHASES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
        ) : (
          <StatusPill value={institution.rolloutPhase} tone={PHASE_TONE[institution.rolloutPhase]} />
        )}
      </td>
      <td>
        {editing ? (
          <select
            aria-label={`Directory scope of ${name}`}
            value={scope}
            onChange={(event) => setScope(event.target.value as Scope)}
          >
            {SCOPES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        ) : (
          scopeLabel
        )}
      </td>
      <td className="num">{formatCount(institution.users)}</td>
      <td>
        {error ? <ErrorNotice error={error} title="Not saved" /> : null}
        {!canEdit ? null : editing ? (
          <span className="row-actions">
            <button
              type="button"
              className="button button-primary button-small"
              onClick={() => void save()}
              disabled={saving}
              aria-busy={saving}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                setEditing(false);
                setPhase(institution.rolloutPhase);
                setScope(institution.directoryScope);
                setError(null);
              }}
              disabled={saving}
            >
              Cancel
            </button>
          </span>
        ) : (
          <span className="row-actions">
            <button
              type="button"
              className="button button-secondary button-small"
              aria-label={`Edit ${name}`}
              onClick={() => setEditing(true)}
            >
              Edit
            </button>
            {inUse ? (
              <span className="hint" title="Move or remove its users and departments first">
                in use
              </span>
            ) : (
              <ConfirmButton
                label="Delete"
                accessibleName={`Delete ${name}`}
                question="It has no users and no departments."
                confirmLabel="Delete"
                busyLabel="Deleting…"
                errorTitle="The institution was not deleted"
                small
                onConfirm={async () => {
                  await unwrap(
                    api.DELETE('/api/v1/institutions/{id}', { params: { path: { id: institution.id } } }),
                  );
                  onChanged();
                }}
              />
            )}
          </span>
        )}
      </td>
    </tr>
  );
}

const EMPTY_INSTITUTION = { name: '', parentId: '' };

function CreateInstitutionForm({
  institutions,
  onCreated,
  onClose,
}: {
  institutions: Institution[];
  onCreated: () => void;
  onClose: () => void;
}) {
  const [kind, setKind] = useState<Kind>('ministry');
  const [form, setForm] = useState(EMPTY_INSTITUTION);
  const [phase, setPhase] = useState<Phase>('pilot');
  const [scope, setScope] = useState<Scope>('hierarchy');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [created, setCreated] = useState<Schemas['Institution'] | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => nameRef.current?.focus(), []);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (submitting) return;
    setSubmitting(true);
    setError(null);
    setCreated(null);
    try {
      const institution = await unwrap(
        api.POST('/api/v1/institutions', {
          body: {
            name: form.name.trim(),
            kind,
            ...(kind === 'department' ? { parentId: form.parentId } : {}),
            rolloutPhase: phase,
            directoryScope: scope,
          },
        }),
      );
      setCreated(institution);
      setForm({ ...EMPTY_INSTITUTION, parentId: form.parentId });
      onCreated();
      nameRef.current?.focus();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <section className="card form-card" aria-labelledby="create-institution-heading">
      <h2 id="create-institution-heading">Add an institution</h2>
      <form onSubmit={(event) => void submit(event)} aria-label="Add an institution">
        <fieldset className="fieldset radio-row">
          <legend>Kind</legend>
          <label>
            <input
              type="radio"
              name="institution-kind"
              value="ministry"
              checked={kind === 'ministry'}
              onChange={() => setKind('ministry')}
            />{' '}
            Ministry
          </label>
          <label>
            <input
              type="radio"
              name="institution-kind"
              value="department"
              checked={kind === 'department'}
              onChange={() => setKind('department')}
            />{' '}
            Department <span className="hint">(of a ministry)</span>
          </label>
        </fieldset>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="new-institution-name">Name</label>
            <input
              ref={nameRef}
              id="new-institution-name"
              autoComplete="off"
              required
              minLength={2}
              maxLength={200}
              value={form.name}
              onChange={(event) => setForm((f) => ({ ...f, name: event.target.value }))}
            />
          </div>
          {kind === 'department' ? (
            <div className="field">
              <label htmlFor="new-institution-parent">Ministry</label>
              <InstitutionSelect
                id="new-institution-parent"
                value={form.parentId}
                onChange={(parentId) => setForm((f) => ({ ...f, parentId }))}
                institutions={institutions}
                kind="ministry"
              />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="new-institution-phase">Rollout phase</label>
            <select
              id="new-institution-phase"
              value={phase}
              onChange={(event) => setPhase(event.target.value as Phase)}
            >
              {PHASES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="new-institution-scope">Directory shows</label>
            <select
              id="new-institution-scope"
              value={scope}
              onChange={(event) => setScope(event.target.value as Scope)}
            >
              {SCOPES.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={submitting}
            aria-busy={submitting}
          >
            {submitting ? 'Creating…' : kind === 'ministry' ? 'Create ministry' : 'Create department'}
          </button>
          <button type="button" className="button button-secondary" onClick={onClose} disabled={submitting}>
            Close
          </button>
          <div role="status" aria-live="polite">
            {created ? (
              <p className="success-text">
                Created the {created.kind} {created.name}.
              </p>
            ) : null}
          </div>
        </div>
        {error ? <ErrorNotice error={error} title="The institution was not created" /> : null}
      </form>
    </section>
  );
}
