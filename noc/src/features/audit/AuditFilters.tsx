import { useState, type FormEvent } from 'react';

export type AuditFilterValues = { actor: string; action: string; q: string; from: string; to: string };
export const NO_AUDIT_FILTERS: AuditFilterValues = { actor: '', action: '', q: '', from: '', to: '' };

/** The API query of the filters: empty fields left out, local times (datetime-local) sent as ISO instants. */
export function auditQuery(f: AuditFilterValues) {
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  const text = (v: string) => v.trim() || undefined;
  const q = { actor: text(f.actor), action: text(f.action), q: text(f.q), from: iso(f.from), to: iso(f.to) };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof AuditFilterValues, string>
  >;
}

export const filtersActive = (f: AuditFilterValues): boolean => Object.keys(auditQuery(f)).length > 0;

/** Who (username or API token name), which action, words in the action or target, and a time window. */
export function AuditFilters({
  value,
  onApply,
  busy,
}: {
  value: AuditFilterValues;
  onApply: (next: AuditFilterValues) => void;
  busy: boolean;
}) {
  const [draft, setDraft] = useState(value);
  const set = (key: keyof AuditFilterValues) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="filters" role="search" aria-label="Audit log" onSubmit={submit}>
      <div className="field field-inline">
        <label htmlFor="audit-actor">Who (username or token name)</label>
        <input
          id="audit-actor"
          type="search"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          value={draft.actor}
          onChange={set('actor')}
        />
      </div>
      <div className="field field-inline">
        <label htmlFor="audit-action">Action</label>
        <input
          id="audit-action"
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          pattern="[a-z][a-z0-9.\-]*"
          title="An action such as identity.user.signed-in"
          placeholder="identity.user.signed-in"
          value={draft.action}
          onChange={set('action')}
        />
      </div>
      <div className="field field-inline field-grow">
        <label htmlFor="audit-q">Words in action or target</label>
        <input
          id="audit-q"
          type="search"
          autoComplete="off"
          maxLength={200}
          value={draft.q}
          onChange={set('q')}
        />
      </div>
      <div className="field field-inline">
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" type="datetime-local" value={draft.from} onChange={set('from')} />
      </div>
      <div className="field field-inline">
        <label htmlFor="audit-to">Before</label>
        <input id="audit-to" type="datetime-local" value={draft.to} onChange={set('to')} />
      </div>
      <button type="submit" className="button button-secondary" disabled={busy}>
        Filter
      </button>
      {filtersActive(value) ? (
        <button
          type="button"
          className="button button-secondary"
          disabled={busy}
          onClick={() => {
            setDraft(NO_AUDIT_FILTERS);
            onApply(NO_AUDIT_FILTERS);
          }}
        >
          Clear
        </button>
      ) : null}
    </form>
  );
}
