import type { ApiError } from '../../api/client';

/**
 * A 404: either the route is not deployed on this server yet (`not_found`, the generic reply), or the
 * domain says there is nothing yet (e.g. no spec applied), whose own message is then the useful one.
 */
export function Unavailable({
  title,
  path,
  error,
  onRetry,
}: {
  title: string;
  path: string;
  error: ApiError;
  onRetry: () => void;
}) {
  const routeMissing = error.code === 'not_found';
  return (
    <div className="notice notice-info">
      <strong className="notice-title">{routeMissing ? `${title}: not available yet` : title}</strong>
      <p className="notice-message">
        {routeMissing ? (
          <>
            This server does not offer <code>{path}</code> yet.
          </>
        ) : (
          error.message
        )}
      </p>
      <p className="notice-actions">
        <button type="button" className="button button-secondary button-small" onClick={onRetry}>
          Check again
        </button>
      </p>
    </div>
  );
}
