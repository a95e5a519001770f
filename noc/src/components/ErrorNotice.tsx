import type { ApiError } from '../api/client';

/** Shows the server's message to the operator, with the request id in small print for support. */
export function ErrorNotice({ error, title }: { error: ApiError; title?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      {title ? <strong className="notice-title">{title}</strong> : null}
      <p className="notice-message">{error.message}</p>
      {error.requestId ? (
        <p className="request-id">
          Request ID: <code>{error.requestId}</code>
        </p>
      ) : null}
    </div>
  );
}
