import { useState, type FormEvent } from 'react';
import { Field } from '../../components/Form';
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
      <Field id="user-search" label="Username, name or designation" inline grow>
        <input
          id="user-search"
          type="search"
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          value={draft.search}
          onChange={(event) => setDraft({ ...draft, search: event.target.value })}
        />
      </Field>
      <FilterSelect
        id="user-kind"
        label="Kind"
        value={draft.kind}
        options={[
          ['official', 'official'],
          ['operator', 'operator'],
        ]}
        onChange={(kind) => apply({ kind: kind as Filters['kind'] })}
      />
      <FilterSelect
        id="user-status"
        label="Status"
        value={draft.status}
        options={[
          ['active', 'active'],
          ['disabled', 'disabled'],
        ]}
        onChange={(status) => apply({ status: status as Filters['status'] })}
      />
      <FilterSelect
        id="user-attack"
        label="Password step"
        value={draft.attack ? 'closed' : ''}
        options={[['closed', 'closed (under attack)']]}
        onChange={(attack) => apply({ attack: attack === 'closed' })}
      />
      <button type="submit" className="button button-secondary" disabled={busy}>
        Search
      </button>
    </form>
  );
}

/** A select that applies at once: "All" (the empty value), then `options` as [value, text]. */
function FilterSelect({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  options: readonly (readonly [value: string, text: string])[];
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} inline>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">All</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </Field>
  );
}
