import { api, unwrap } from '../../api/client';
import { Permitted } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LoadMore } from '../../components/Pagination';
import { useApiPages } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { ChainVerification } from './ChainVerification';
import { SignInChart } from './SignInChart';

const PAGE_SIZE = 50;

export function AuditPage() {
  const log = useApiPages({
    queryKey: ['audit', 'entries'] as const,
    page: (beforeSeq: number | undefined, signal) =>
      unwrap(
        api.GET('/api/v1/audit', {
          params: { query: beforeSeq === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, beforeSeq } },
          signal,
        }),
      ),
    next: (page) => page.nextBeforeSeq,
  });
  const entries = log.pages.flatMap((p) => p.entries);

  return (
    <>
      <div className="page-header">
        <h1>Audit log</h1>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={log.refresh}
            disabled={log.fetching}
          >
            Refresh
          </button>
        </div>
      </div>

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
                    <span className="muted">{entry.actorType}</span> <code>{entry.actorId}</code>
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
                    No audit entries yet.
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
