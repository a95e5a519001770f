import { ReadFailure, RefreshStatus } from '../../components/QueryStatus';
import { useApiQuery } from '../../data/hooks';
import { systemQueries } from './queries';
import { SystemDetails } from './SystemDetails';

const POLL_MS = 5_000;

export function SystemPage() {
  const status = useApiQuery(systemQueries.status(), { pollMs: POLL_MS });
  return (
    <>
      <div className="page-header">
        <h1>System</h1>
        <RefreshStatus
          updatedAt={status.updatedAt}
          loading={status.loading}
          fetching={status.fetching}
          pollMs={POLL_MS}
          onRefresh={status.refresh}
        />
      </div>
      <ReadFailure
        error={status.error}
        hasData={status.data !== undefined}
        updatedAt={status.updatedAt}
        title="System status unavailable"
        onRetry={status.refresh}
      />
      {status.data ? <SystemDetails status={status.data} stale={status.error !== null} /> : null}
    </>
  );
}
