import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { LoadMore } from '../../components/Pagination';
import { useApiPages } from '../../data/hooks';
import { formatDateTime } from '../../format';
import {
  AuditFilters,
  auditQuery,
  filtersActive,
  NO_AUDIT_FILTERS,
  type AuditFilterValues,
} from './AuditFilters';
import { ChainVerification } from './ChainVerification';
import { SignInChart } from './SignInChart';

const PAGE_SIZE = 50;

export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilterValues>(NO_AUDIT_FILTERS);
  const query = auditQuery(filters);
  const log = useApiPages({
    queryKey: ['audit', 'entries', query] as const,
    page: (beforeSeq: number | undefined, signal) =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: {
            query: { ...query, limit: PAGE_SIZE, ...(beforeSeq === undefined ? {} : { beforeSeq }) },
          },
          signal,
        }),
      ),
    next: (page) => page.nextBeforeSeq,
  });
  const entries = log.pages.flatMap((p) => p.entries);

  return (
    <>
      <PageHeader title="Audit log" onRefresh={log.refresh} refreshing={log.fetching} />

      <Permitted operation="GET /api/v1/audit/verify" explain="Verifying the hash chain">
        <ChainVerification />
      </Permitted>

      <Permitted operation="GET /api/v1/sign-in-stats">
        <SignInChart />
      </Permitted>

      {log.error ? (
        <ErrorNotice error={log.error} title="Could not load the audit log" onRetry={log.refresh} />
      ) : null}

      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries, newest first</h2>
        <AuditFilters value={filters} onApply={setFilters} busy={log.fetching} />
        <div className="table-wrap">
          <table className="table" aria-busy={log.fetching}>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Seq
                </th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.seq}>
                  <td className="num">{entry.seq}</td>
                  <td className="nowrap">
                    <time dateTime={entry.at} title={entry.at}>
                      {formatDateTime(entry.at)}
                    </time>
                  </td>
                  <td>
                    {entry.actorName ? (
                      <span title={`${entry.actorType} ${entry.actorId}`}>{entry.actorName}</span>
                    ) : (
                      <>
                        <span className="muted">{entry.actorType}</span> <code>{entry.actorId}</code>
                      </>
                    )}
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td className="break">{entry.target ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
              {entries.length === 0 && !log.loading && !log.error ? (
                <tr>
                  <td colSpan={5} className="empty">
                    {filtersActive(filters) ? 'No entries match these filters.' : 'No audit entries yet.'}
                  </td>
                </tr>
              ) : null}
              {log.loading && entries.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    Loading…
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <LoadMore
          shown={entries.length}
          one="entry"
          many="entries"
          hasMore={log.hasMore}
          loading={log.loadingMore}
          onMore={log.loadMore}
          label="Load older"
        />
        {!log.hasMore && entries.length > 0 ? <p className="muted small">Beginning of the log.</p> : null}
      </section>
    </>
  );
}
