import type { FormEvent, ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice';

/**
 * A labelled form control: `<Field id="assign-imsi" label="IMSI"><input id="assign-imsi" … /></Field>`.
 * `hint` is rendered below and should be referenced by the control's aria-describedby (`${id}-hint`).
 */
export function Field({
  id,
  label,
  optional = false,
  hint,
  inline = false,
  grow = false,
  children,
}: {
  id: string;
  label: ReactNode;
  optional?: boolean;
  hint?: ReactNode;
  inline?: boolean;
  grow?: boolean;
  children: ReactNode;
}) {
  const className = `field${inline ? ' field-inline' : ''}${grow ? ' field-grow' : ''}`;
  return (
    <div className={className}>
      <label htmlFor={id}>
        {label}
        {optional ? (
          <>
            {' '}
            <span className="optional">(optional)</span>
          </>
        ) : null}
      </label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A form that submits one API write: the submit button shows progress, the failure is shown by ErrorNotice
 * below, and `status` (a success message) is announced politely. Pair it with useApiMutation.
 */
export function Form({
  onSubmit,
  pending,
  error,
  errorTitle,
  submitLabel,
  busyLabel,
  disabled = false,
  status,
  extraActions,
  ariaLabel,
  className,
  children,
}: {
  onSubmit: () => void;
  pending: boolean;
  error: unknown;
  errorTitle: string;
  submitLabel: string;
  busyLabel: string;
  disabled?: boolean;
  status?: ReactNode;
  extraActions?: ReactNode;
  ariaLabel?: string;
  className?: string;
  children: ReactNode;
}) {
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (!pending) onSubmit();
  };
  return (
    <form onSubmit={submit} aria-label={ariaLabel} className={className}>
      {children}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={pending || disabled}
          aria-busy={pending}
        >
          {pending ? busyLabel : submitLabel}
        </button>
        {extraActions}
        <div role="status" aria-live="polite">
          {status}
        </div>
      </div>
      {error ? <ErrorNotice error={error} title={errorTitle} /> : null}
    </form>
  );
}

/** One radio button of a RadioRow: its value, its words (a hint may follow), and whether it is offered. */
export type RadioChoice<T extends string> = { value: T; label: ReactNode; disabled?: boolean };

/** A row of radio buttons under a legend ("Kind": Ministry / Department), each labelled by its words. */
export function RadioRow<T extends string>({
  legend,
  name,
  value,
  choices,
  onChange,
}: {
  legend: string;
  name: string;
  value: T;
  choices: readonly RadioChoice<T>[];
  onChange: (value: T) => void;
}) {
  return (
    <fieldset className="fieldset radio-row">
      <legend>{legend}</legend>
      {choices.map((c) => (
        <label key={c.value}>
          <input
            type="radio"
            name={name}
            value={c.value}
            checked={value === c.value}
            disabled={c.disabled}
            onChange={() => onChange(c.value)}
          />{' '}
          {c.label}
        </label>
      ))}
    </fieldset>
  );
}
