import { asApiError } from '../api/client';

/**
 * The one place an API failure is shown: the server's message, with the request id in small print for
 * support. A validation failure lists its field-level issues instead of one long sentence. Takes anything
 * caught (an ApiError, a query's error); `onRetry` adds a "Try again" button for reads.
 */
export function ErrorNotice({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const problem = asApiError(error);
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong className="notice-title">{title}</strong> : null}
      {problem.issues.length > 0 ? (
        <ul className="notice-issues">
          {problem.issues.map((issue, i) => (
            <li key={i}>
              {issue.path ? (
                <>
                  <code>{issue.path}</code>:{' '}
                </>
              ) : null}
              {issue.message}
            </li>
          ))}
        </ul>
      ) : (
        <p className="notice-message">{problem.message}</p>
      )}
      {problem.requestId ? (
        <p className="request-id">
          Request ID: <code>{problem.requestId}</code>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
