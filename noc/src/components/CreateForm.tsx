import type { ReactNode } from 'react';
import { Form } from './Form';

/**
 * The form of an "Add a …" card that stays open for the next one: the submit shows "Creating…" while the
 * create write runs, a Close button beside it (disabled meanwhile), the success line announced in `status`.
 */
export function CreateForm({
  ariaLabel,
  create,
  onSubmit,
  onClose,
  errorTitle,
  submitLabel,
  status,
  children,
}: {
  ariaLabel: string;
  /** The create write (useApiMutation): its progress and its failure, shown below the form. */
  create: { pending: boolean; error: unknown };
  onSubmit: () => void;
  onClose: () => void;
  errorTitle: string;
  submitLabel: string;
  status: ReactNode;
  children: ReactNode;
}) {
  return (
    <Form
      ariaLabel={ariaLabel}
      onSubmit={onSubmit}
      pending={create.pending}
      error={create.error}
      errorTitle={errorTitle}
      submitLabel={submitLabel}
      busyLabel="Creating…"
      extraActions={
        <button type="button" className="button button-secondary" onClick={onClose} disabled={create.pending}>
          Close
        </button>
      }
      status={status}
    >
      {children}
    </Form>
  );
}
