import { keepPreviousData } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Pagination } from '../../components/Pagination';
import { StatusPill } from '../../components/StatusPill';
import { ExportPendingPill } from './ExportState';
import { SyncStatePill } from '../../components/SyncStatePill';
import { useApiQuery } from '../../data/hooks';
import { Link, navigate } from '../../router';
import type { ProfileTemplate } from '../profiles/queries';
import { InstitutionName, OfficialName } from './SubscriberCards';
import { filtersUrl, PAGE_SIZE, STATUSES, subscriberQueries, type Filters } from './queries';

export function SubscriberList({ filters, profiles }: { filters: Filters; profiles: ProfileTemplate[] }) {
  const [draft, setDraft] = useState({
    search: filters.search,
    status: filters.status,
    profile: filters.profile,
  });
  // The previous page stays on screen while the next one loads.
  const {
    data: page,
    error,
    fetching,
    refresh,
  } = useApiQuery({
    ...subscriberQueries.list(filters),
    placeholderData: keepPreviousData,
  });

  const apply = (next: Partial<typeof draft>): void => {
    const merged = { ...draft, ...next };
    navigate(
      filtersUrl({ search: merged.search.trim(), status: merged.status, profile: merged.profile, page: 1 }),
    );
  };
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    apply({});
  };

  const rows = page?.subscribers ?? [];
  const filtered = filters.search !== '' || filters.status !== '' || filters.profile !== '';

  return (
    <section aria-labelledby="subscribers-heading">
      <h2 id="subscribers-heading">Assigned SIMs</h2>
      <form className="filters" role="search" aria-label="Subscribers" onSubmit={submit}>
        <div className="field field-inline field-grow">
          <label htmlFor="subscriber-search">IMSI, MSISDN or name</label>
          <input
            id="subscriber-search"
            type="search"
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            value={draft.search}
            onChange={(event) => setDraft({ ...draft, search: event.target.value })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="subscriber-status">Status</label>
          <select
            id="subscriber-status"
            value={draft.status}
            onChange={(event) => apply({ status: event.target.value as Filters['status'] })}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="subscriber-profile">Profile</label>
          <select
            id="subscriber-profile"
            value={draft.profile}
            onChange={(event) => apply({ profile: event.target.value })}
          >
            <option value="">All</option>
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
            {draft.profile && !profiles.some((p) => p.name === draft.profile) ? (
              <option value={draft.profile}>{draft.profile}</option>
            ) : null}
          </select>
        </div>
        <button type="submit" className="button button-secondary" disabled={fetching}>
          Search
        </button>
      </form>

      {error ? <ErrorNotice error={error} title="Could not load the subscribers" onRetry={refresh} /> : null}

      <div className="table-wrap">
        <table className="table" aria-busy={fetching}>
          <thead>
            <tr>
              <th scope="col">IMSI</th>
              <th scope="col">MSISDN</th>
              <th scope="col">Official</th>
              <th scope="col">Institution</th>
              <th scope="col">Profile</th>
              <th scope="col">Status</th>
              <th scope="col">Open5GS</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.imsi}>
                <td>
                  <Link to={`/subscribers/${s.imsi}`} aria-label={`Subscriber ${s.imsi}, ${s.displayName}`}>
                    <code>{s.imsi}</code>
                  </Link>
                </td>
                <td>{s.msisdn ?? <span className="muted">—</span>}</td>
                <td>
                  <OfficialName subscriber={s} />
                </td>
                <td>
                  <InstitutionName subscriber={s} />
                </td>
                <td>{s.profile}</td>
                <td>
                  <StatusPill value={s.status} />
                </td>
                <td>
                  <SyncStatePill sync={s.open5gs} />{' '}
                  <ExportPendingPill status={s.status} open5gs={s.open5gs} />
                </td>
              </tr>
            ))}
            {page !== undefined && rows.length === 0 && !error ? (
              <tr>
                <td colSpan={7} className="empty">
                  {filtered ? 'No subscriber matches these filters.' : 'No SIM is assigned yet.'}
                </td>
              </tr>
            ) : null}
            {page === undefined && fetching ? (
              <tr>
                <td colSpan={7} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pagination
        label="Subscriber pages"
        noun="subscribers"
        page={filters.page}
        pageSize={PAGE_SIZE}
        total={page?.total ?? 0}
        busy={fetching}
        onPage={(n) => navigate(filtersUrl({ ...filters, page: n }))}
      />
    </section>
  );
}
