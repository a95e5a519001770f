import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/Pagination';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { formatCount, formatDateTime } from '../../format';
import { SIM_STATUSES, type SimCard, type SimFilter, type SimList, type SimStatus } from './queries';
import type { useSimPages } from './queries';

const SIM_TONE: Record<SimStatus, Tone> = { available: 'good', assigned: 'neutral', retired: 'warn' };

export function SimCounts({ counts }: { counts: SimList['counts'] | undefined }) {
  return (
    <section aria-labelledby="counts-heading">
      <h2 id="counts-heading" className="visually-hidden">
        Inventory counts
      </h2>
      <dl className="stats" aria-busy={counts === undefined}>
        {SIM_STATUSES.map((status) => (
          <div key={status} className={`stat stat-${status}`}>
            <dt>{status[0]?.toUpperCase() + status.slice(1)}</dt>
            <dd>{counts ? formatCount(counts[status]) : '—'}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function SimTable({
  filter,
  onFilter,
  list,
}: {
  filter: SimFilter;
  onFilter: (filter: SimFilter) => void;
  list: ReturnType<typeof useSimPages>;
}) {
  const [draft, setDraft] = useState<SimFilter>(filter);
  const sims: SimCard[] = list.pages.flatMap((p) => p.sims);
  const apply = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    onFilter({ search: draft.search.trim(), status: draft.status });
  };
  const filtered = filter.search !== '' || filter.status !== '';

  return (
    <section aria-labelledby="sims-heading">
      <h2 id="sims-heading">SIM cards</h2>
      <form className="filters" role="search" aria-label="SIM cards" onSubmit={apply}>
        <div className="field field-inline">
          <label htmlFor="sim-search">IMSI, ICCID or MSISDN starts with</label>
          <input
            id="sim-search"
            type="search"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            pattern="[0-9+]{1,20}"
            maxLength={20}
            title="Digits of an IMSI, ICCID or MSISDN (up to 20)"
            value={draft.search}
            onChange={(event) => setDraft({ ...draft, search: event.target.value })}
          />
        </div>
        <div className="field field-inline">
          <label htmlFor="sim-status">Status</label>
          <select
            id="sim-status"
            value={draft.status}
            onChange={(event) => {
              const status = event.target.value as SimFilter['status'];
              setDraft({ ...draft, status });
              onFilter({ search: draft.search.trim(), status });
            }}
          >
            <option value="">All</option>
            {SIM_STATUSES.map((status) => (
              <option key={status} value={status}>
                {status}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button button-secondary" disabled={list.loading}>
          Search
        </button>
      </form>

      {list.error ? (
        <ErrorNotice error={list.error} title="Could not load the SIM inventory" onRetry={list.refresh} />
      ) : null}

      <div className="table-wrap">
        <table className="table" aria-busy={list.fetching}>
          <thead>
            <tr>
              <th scope="col">IMSI</th>
              <th scope="col">ICCID</th>
              <th scope="col">MSISDN</th>
              <th scope="col">Batch</th>
              <th scope="col">Status</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {sims.map((sim) => (
              <tr key={sim.imsi}>
                <td>
                  <code>{sim.imsi}</code>
                </td>
                <td>{sim.iccid ? <code>{sim.iccid}</code> : <span className="muted">—</span>}</td>
                <td>{sim.msisdn ?? <span className="muted">—</span>}</td>
                <td>{sim.batch ?? <span className="muted">—</span>}</td>
                <td>
                  <StatusPill value={sim.status} tone={SIM_TONE[sim.status]} />
                </td>
                <td className="nowrap">
                  <time dateTime={sim.createdAt}>{formatDateTime(sim.createdAt)}</time>
                </td>
              </tr>
            ))}
            {sims.length === 0 && !list.loading && !list.error ? (
              <tr>
                <td colSpan={6} className="empty">
                  {filtered ? 'No SIM matches this search.' : 'No SIMs yet: import a vendor batch above.'}
                </td>
              </tr>
            ) : null}
            {sims.length === 0 && list.loading ? (
              <tr>
                <td colSpan={6} className="empty">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <LoadMore
        shown={sims.length}
        one="SIM"
        many="SIMs"
        hasMore={list.hasMore}
        loading={list.loadingMore}
        onMore={list.loadMore}
      />
    </section>
  );
}
