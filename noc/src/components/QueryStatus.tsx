import { formatTime } from '../format';
import type { ApiError } from '../api/client';
import { ErrorNotice } from './ErrorNotice';

/** "Last updated 12:04:05 · refreshes every 5 s" and a Refresh button, for a polled page or card. */
export function RefreshStatus({
  updatedAt,
  loading,
  fetching,
  pollMs,
  onRefresh,
}: {
  updatedAt: Date | null;
  loading: boolean;
  fetching: boolean;
  pollMs: number;
  onRefresh: () => void;
}) {
  return (
    <div className="page-actions">
      <p className="updated" aria-live="polite">
        {updatedAt ? (
          <>
            Last updated <time dateTime={updatedAt.toISOString()}>{formatTime(updatedAt)}</time>
          </>
        ) : loading ? (
          'Loading…'
        ) : null}
        <span className="refresh-hint"> · refreshes every {pollMs / 1000} s</span>
      </p>
      <button type="button" className="button button-secondary" onClick={onRefresh} disabled={fetching}>
        Refresh
      </button>
    </div>
  );
}

/**
 * A read's failure: with earlier data still on screen, a "may be stale" banner (the data stays); without
 * any, the ErrorNotice with a retry.
 */
export function ReadFailure({
  error,
  hasData,
  updatedAt,
  title,
  onRetry,
}: {
  error: ApiError | null;
  hasData: boolean;
  updatedAt: Date | null;
  title: string;
  onRetry?: () => void;
}) {
  if (!error) return null;
  if (!hasData) return <ErrorNotice error={error} title={title} onRetry={onRetry} />;
  return (
    <div className="banner banner-stale" role="alert">
      <strong>Data may be stale.</strong> The last update failed: {error.message}
      {updatedAt ? ` Showing data from ${formatTime(updatedAt)}.` : null}
      {error.requestId ? (
        <span className="request-id">
          {' '}
          Request ID: <code>{error.requestId}</code>
        </span>
      ) : null}
    </div>
  );
}
