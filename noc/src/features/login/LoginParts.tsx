import type { ReactNode } from 'react';
import type { ApiError } from '../../api/client';

/**
 * One live region for the whole card, so a screen reader hears each refusal and each notice. (Not the
 * shared ErrorNotice: that is an alert of its own, and two nested alerts would be announced twice.)
 */
export function LoginAlert({ error, notice }: { error: ApiError | null; notice: string | null }) {
  return (
    <div className="login-alert" role="alert">
      {error ? (
        <div className="notice notice-error">
          <p className="notice-message">{error.message}</p>
          {error.requestId ? (
            <p className="request-id">
              Request ID: <code>{error.requestId}</code>
            </p>
          ) : null}
        </div>
      ) : notice ? (
        <div className="notice notice-info">
          <p className="notice-message">{notice}</p>
        </div>
      ) : null}
    </div>
  );
}

export function SubmitButton({ submitting, children }: { submitting: boolean; children: ReactNode }) {
  return (
    <button
      type="submit"
      className="button button-primary button-block"
      disabled={submitting}
      aria-busy={submitting}
    >
      {children}
    </button>
  );
}
