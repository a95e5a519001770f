import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation } from '../../data/hooks';
import { formatCount } from '../../format';
import type { Institution } from '../../identity';
import { PHASE_TONE, PHASES, SCOPES, type Phase, type Scope } from './options';
import { INSTITUTIONS_KEY } from './queries';

type RowProps<I> = {
  institution: I;
  depth: number;
  parentName: string | null;
  hasDepartments: boolean;
  canEdit: boolean;
  canDelete: boolean;
};
/** An institution in the caller's scope: the server sends its phase, directory scope and users. */
type FullInstitution = Institution & Required<Pick<Institution, 'rolloutPhase' | 'directoryScope' | 'users'>>;

/**
 * One institution; `canEdit`/`canDelete` come from the route table (both are super-admin's). One the caller's
 * directory shows but its scope does not hold comes by name only: its phase, scope and users are not shown.
 */
export function InstitutionRow(props: RowProps<Institution>) {
  const { institution: i, depth, parentName } = props;
  if (i.rolloutPhase === undefined || i.directoryScope === undefined || i.users === undefined)
    return (
      <tr>
        <th scope="row" className={depth > 0 ? 'indent' : undefined}>
          {i.name}
        </th>
        <td>{i.kind}</td>
        <td>{parentName ?? <span className="muted">—</span>}</td>
        <td colSpan={4} className="muted">
          outside your institution
        </td>
      </tr>
    );
  const full: FullInstitution = {
    ...i,
    rolloutPhase: i.rolloutPhase,
    directoryScope: i.directoryScope,
    users: i.users,
  };
  return <FullRow {...props} institution={full} />;
}

function FullRow({
  institution,
  depth,
  parentName,
  hasDepartments,
  canEdit,
  canDelete,
}: RowProps<FullInstitution>) {
  const [editing, setEditing] = useState(false);
  const [phase, setPhase] = useState<Phase>(institution.rolloutPhase);
  const [scope, setScope] = useState<Scope>(institution.directoryScope);
  const phaseRef = useRef<HTMLSelectElement>(null);
  const id = institution.id;
  // The refetch after a save brings a new updatedAt: the row re-keys and leaves edit mode.
  const save = useApiMutation({
    run: (body: { rolloutPhase: Phase; directoryScope: Scope }) =>
      unwrap(api.PATCH('/api/v1/institutions/{id}', { params: { path: { id } }, body })),
    invalidates: [INSTITUTIONS_KEY],
  });
  const remove = useApiMutation({
    run: () => unwrap(api.DELETE('/api/v1/institutions/{id}', { params: { path: { id } } })),
    invalidates: [INSTITUTIONS_KEY],
  });
  const inUse = institution.users > 0 || hasDepartments;
  const name = institution.name;

  useEffect(() => {
    if (editing) phaseRef.current?.focus();
  }, [editing]);

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
        {save.error ? <ErrorNotice error={save.error} title="Not saved" /> : null}
        {editing ? (
          <span className="row-actions">
            <button
              type="button"
              className="button button-primary button-small"
              onClick={() => save.start({ rolloutPhase: phase, directoryScope: scope })}
              disabled={save.pending}
              aria-busy={save.pending}
            >
              {save.pending ? 'Saving…' : 'Save'}
            </button>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                setEditing(false);
                setPhase(institution.rolloutPhase);
                setScope(institution.directoryScope);
                save.reset();
              }}
              disabled={save.pending}
            >
              Cancel
            </button>
          </span>
        ) : canEdit || canDelete ? (
          <span className="row-actions">
            {canEdit ? (
              <button
                type="button"
                className="button button-secondary button-small"
                aria-label={`Edit ${name}`}
                onClick={() => setEditing(true)}
              >
                Edit
              </button>
            ) : null}
            {!canDelete ? null : inUse ? (
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
                  await remove.run(undefined);
                }}
              />
            )}
          </span>
        ) : null}
      </td>
    </tr>
  );
}
