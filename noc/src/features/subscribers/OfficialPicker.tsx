import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { apiQuery, useApiQuery } from '../../data/hooks';
import { useInstitutions } from '../institutions/queries';

/** The person chosen: id for the API, name and username for people. */
export type PickedOfficial = { id: string; username: string; displayName: string };

const MAX_OPTIONS = 8;
const DEBOUNCE_MS = 200;

const searchQuery = (search: string) =>
  apiQuery(['users', 'official-picker', search], (signal) =>
    unwrap(
      api.GET('/api/v1/users', {
        params: { query: { search, status: 'active', limit: MAX_OPTIONS } },
        signal,
      }),
    ),
  );

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return debounced;
}

const label = (o: PickedOfficial) => `${o.displayName} (${o.username})`;

/**
 * Chooses an active person by typing part of their name or username: an ARIA 1.2 combobox (list
 * autocomplete) over the users API. Arrow keys move through the matches, Enter chooses, Escape closes.
 */
export function OfficialPicker({
  id,
  value,
  onChange,
  describedBy,
}: {
  id: string;
  value: PickedOfficial | null;
  onChange: (official: PickedOfficial | null) => void;
  describedBy?: string;
}) {
  const listId = useId();
  const [text, setText] = useState(value ? label(value) : '');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const search = useDebounced(text.trim(), DEBOUNCE_MS);
  const { institutions } = useInstitutions();
  const enabled = open && search.length > 0 && (!value || search !== label(value));
  const query = useApiQuery(searchQuery(search), { enabled });
  const options = enabled ? (query.data?.users ?? []) : [];
  const institutionName = (institutionId: string | null) =>
    institutionId
      ? (institutions.find((i) => i.id === institutionId)?.name ?? 'another institution')
      : 'national';

  const choose = (i: number) => {
    const u = options[i];
    if (!u) return;
    const picked = { id: u.id, username: u.username, displayName: u.displayName };
    onChange(picked);
    setText(label(picked));
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((a) => (options.length ? (a + 1) % options.length : -1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((a) => (options.length ? (a <= 0 ? options.length - 1 : a - 1) : -1));
    } else if (event.key === 'Enter' && open && options[active]) {
      event.preventDefault();
      choose(active);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const showList = open && enabled;
  const activeId = showList && options[active] ? `${listId}-${active}` : undefined;
  return (
    <div className="combobox">
      <input
        id={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={activeId}
        aria-describedby={describedBy}
        autoComplete="off"
        spellCheck={false}
        required
        maxLength={128}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setActive(-1);
          setOpen(true);
          if (value) onChange(null);
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="Matching people"
        className="combobox-list"
        hidden={!showList}
      >
        {options.map((u, i) => (
          <li
            key={u.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'combobox-option active' : 'combobox-option'}
            onMouseDown={(event) => {
              event.preventDefault();
              choose(i);
            }}
          >
            <span>{u.displayName}</span> <span className="muted">{u.username}</span>{' '}
            <span className="muted">· {institutionName(u.institutionId)}</span>
          </li>
        ))}
        {showList && !query.fetching && query.data && options.length === 0 ? (
          <li role="option" aria-selected={false} aria-disabled="true" className="combobox-option muted">
            No active person matches “{search}”.
          </li>
        ) : null}
      </ul>
    </div>
  );
}
