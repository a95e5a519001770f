import { useState, type FormEvent } from 'react';
import { navigate } from '../../router';
import { filtersUrl, type Filters } from './filters';

/** The search box and the selects; a select applies at once, the search on submit. */
export function UserFilters({ filters, busy }: { filters: Filters; busy: boolean }) {
  const [draft, setDraft] = useState({
    search: filters.search,
    kind: filters.kind,
    status: filters.status,
    attack: filters.attack,
  });

  const apply = (next: Partial<typeof draft>): void => {
    const merged = { ...draft, ...next };
    setDraft(merged);
    navigate(filtersUrl({ ...merged, search: merged.search.trim(), page: 1 }));
  };
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    apply({});
  };

  return (
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
      <button type="submit" className="button button-secondary" disabled={busy}>
        Search
      </button>
    </form>
  );
}
