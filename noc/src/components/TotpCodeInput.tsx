/**
 * The six digits of an authenticator app's code (RFC 6238): digits only, anything else typed or pasted is
 * dropped, and the browser may fill it from a one-time-code autofill. Goes inside a `Field` with the same id.
 */
export function TotpCodeInput({
  id,
  name,
  describedBy,
  value,
  onChange,
}: {
  id: string;
  /** The form field's name, when the browser's password manager should see it as the one-time code. */
  name?: string;
  /** The id of the field's hint. */
  describedBy?: string;
  value: string;
  onChange: (digits: string) => void;
}) {
  return (
    <input
      id={id}
      name={name}
      className="code-entry"
      type="text"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      title="6 digits"
      required
      autoFocus
      aria-describedby={describedBy}
      value={value}
      onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
    />
  );
}
