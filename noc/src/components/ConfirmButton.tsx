import { useEffect, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../api/client';
import { ErrorNotice } from './ErrorNotice';

type Props = {
  label: string;
  /** A fuller accessible name when the visible label relies on its row (e.g. "Delete Ministry of Finance"). */
  accessibleName?: string;
  /** What happens, asked before doing it. */
  question: string;
  confirmLabel: string;
  busyLabel: string;
  errorTitle: string;
  tone?: 'danger' | 'primary' | 'secondary';
  small?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<void>;
};

/** A consequential action behind a second, explicit click, with its failure shown in place. */
export function ConfirmButton({
  label,
  accessibleName,
  question,
  confirmLabel,
  busyLabel,
  errorTitle,
  tone = 'danger',
  small = false,
  disabled = false,
  onConfirm,
}: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const mounted = useRef(true);
  const size = small ? ' button-small' : '';

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);

  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      if (mounted.current) setAsking(false);
    } catch (caught) {
      if (mounted.current) setError(asApiError(caught));
    } finally {
      if (mounted.current) setBusy(false);
    }
  };

  if (!asking)
    return (
      <button
        type="button"
        className={`button button-${tone === 'danger' ? 'secondary' : tone}${size}`}
        onClick={() => {
          setAsking(true);
          setError(null);
        }}
        disabled={disabled}
        aria-expanded={false}
        aria-label={accessibleName}
      >
        {label}
      </button>
    );

  return (
    <div className="confirm" role="group" aria-label={accessibleName ?? label}>
      <p className="confirm-question">{question}</p>
      <div className="confirm-actions">
        <button
          ref={confirmRef}
          type="button"
          className={`button button-${tone}${size}`}
          onClick={() => void confirm()}
          disabled={busy}
          aria-busy={busy}
        >
          {busy ? busyLabel : confirmLabel}
        </button>
        <button
          type="button"
          className={`button button-secondary${size}`}
          onClick={() => setAsking(false)}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
      {error ? <ErrorNotice error={error} title={errorTitle} /> : null}
    </div>
  );
}
