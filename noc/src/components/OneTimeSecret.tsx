import { useEffect, useId, useRef, useState } from 'react';
import { asApiError, type ApiError } from '../api/client';
import { copyText, textFileUrl } from './clipboard';
import { ErrorNotice } from './ErrorNotice';

type Props = {
  title: string;
  /** Why it matters and that it is shown only now. */
  lead: string;
  values: readonly string[];
  /** Accessible name of the list or value, e.g. "Recovery codes". */
  label: string;
  /** Offer a text-file download under this name. */
  filename?: string;
  doneLabel?: string;
  onDone: () => void;
};

/**
 * A secret the server shows once (recovery codes, a temporary password): copy, optional download, and an
 * explicit "done" that hides it for good. Focus moves here so a screen reader announces it.
 */
export function OneTimeSecret({ title, lead, values, label, filename, doneLabel = 'Done', onDone }: Props) {
  const headingId = useId();
  const sectionRef = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState(false);
  const [copyError, setCopyError] = useState<ApiError | null>(null);
  const text = `${values.join('\n')}\n`;

  useEffect(() => sectionRef.current?.focus(), []);

  const copy = async (): Promise<void> => {
    setCopied(false);
    setCopyError(null);
    try {
      await copyText(values.length === 1 ? (values[0] ?? '') : text);
      setCopied(true);
    } catch (caught) {
      setCopyError(asApiError(caught));
    }
  };

  return (
    <section
      ref={sectionRef}
      tabIndex={-1}
      className="notice notice-warn one-time-secret"
      aria-labelledby={headingId}
    >
      <strong className="notice-title" id={headingId}>
        {title}
      </strong>
      <p className="notice-message">{lead}</p>
      {values.length === 1 ? (
        <p className="secret-value">
          <code aria-label={label}>{values[0]}</code>
        </p>
      ) : (
        <ol className="secret-list" aria-label={label}>
          {values.map((value) => (
            <li key={value}>
              <code>{value}</code>
            </li>
          ))}
        </ol>
      )}
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={() => void copy()}>
          Copy
        </button>
        {filename ? (
          <a className="button button-secondary" href={textFileUrl(text)} download={filename}>
            Download
          </a>
        ) : null}
        <button type="button" className="button button-primary" onClick={onDone}>
          {doneLabel}
        </button>
        <div role="status" aria-live="polite">
          {copied ? <p className="success-text">Copied to the clipboard.</p> : null}
        </div>
      </div>
      {copyError ? <ErrorNotice error={copyError} title="Could not copy" /> : null}
    </section>
  );
}
