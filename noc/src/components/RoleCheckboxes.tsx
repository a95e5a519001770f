import { INSTITUTION_SCOPED_ROLES, ROLES, type Role } from '../identity';

type Props = {
  idPrefix: string;
  value: readonly Role[];
  onChange: (roles: Role[]) => void;
  /** The operator is placed in an institution: national roles cannot be held there. */
  scoped: boolean;
  disabled?: boolean;
};

/** The NOC roles as checkboxes, national-only ones disabled for an operator inside an institution. */
export function RoleCheckboxes({ idPrefix, value, onChange, scoped, disabled = false }: Props) {
  const toggle = (role: Role, on: boolean): void =>
    onChange(
      on
        ? ROLES.map((r) => r.role).filter((r) => r === role || value.includes(r))
        : value.filter((r) => r !== role),
    );
  return (
    <fieldset className="fieldset" disabled={disabled}>
      <legend>Roles</legend>
      {scoped ? (
        <p className="hint">
          Inside an institution only {INSTITUTION_SCOPED_ROLES.join(', ')} can be held; the others act on
          national infrastructure.
        </p>
      ) : null}
      <ul className="checkbox-list">
        {ROLES.map(({ role, description }) => {
          const unavailable = scoped && !INSTITUTION_SCOPED_ROLES.includes(role);
          const id = `${idPrefix}-${role}`;
          return (
            <li key={role}>
              <input
                id={id}
                type="checkbox"
                checked={value.includes(role) && !unavailable}
                disabled={unavailable}
                aria-describedby={`${id}-description`}
                onChange={(event) => toggle(role, event.target.checked)}
              />
              <label htmlFor={id}>{role}</label>
              <span id={`${id}-description`} className="hint">
                {description}
              </span>
            </li>
          );
        })}
      </ul>
    </fieldset>
  );
}
