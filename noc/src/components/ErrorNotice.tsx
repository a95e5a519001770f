import type { ApiError } from '../api/client';

/**
 * Shows the server's message to the operator, with the request id in small print for support. A validation
 * failure lists its field-level issues instead of one long sentence.
 */
export function ErrorNotice({ error, title }: { error: ApiError; title?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong className="notice-title">{title}</strong> : null}
      {error.issues.length > 0 ? (
        <ul className="notice-issues">
          {error.issues.map((issue, i) => (
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
        <p className="notice-message">{error.message}</p>
      )}
      {error.requestId ? (
        <p className="request-id">
          Request ID: <code>{error.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}
