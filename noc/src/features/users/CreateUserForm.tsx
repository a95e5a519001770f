import { useEffect, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { CreateForm } from '../../components/CreateForm';
import { Field, RadioRow } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { useApiMutation } from '../../data/hooks';
import { INSTITUTION_SCOPED_ROLES, type Institution, type Role, type User } from '../../identity';
import { Link } from '../../router';
import { INSTITUTIONS_KEY } from '../institutions/queries';
import { USERS_KEY } from './queries';

/** 16 random characters from a 64-letter alphabet (96 bits): a first password to hand over in person. */
function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_';
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

const EMPTY_USER = {
  username: '',
  displayName: '',
  designation: '',
  institution: '',
  email: '',
  phone: '',
  password: '',
};

export function CreateUserForm({
  institutions,
  canCreateOperators,
  onClose,
}: {
  institutions: Institution[];
  /** Operators and their roles are a super-admin's (a rule on the body, not the route). */
  canCreateOperators: boolean;
  onClose: () => void;
}) {
  const [kind, setKind] = useState<User['kind']>('official');
  const [form, setForm] = useState(EMPTY_USER);
  const [roles, setRoles] = useState<Role[]>(['viewer']);
  const [showPassword, setShowPassword] = useState(false);
  // A first password handed over by someone else is changed at the first sign-in, unless the admin says not.
  const [mustChange, setMustChange] = useState(true);
  const firstRef = useRef<HTMLInputElement>(null);
  const create = useApiMutation({
    run: (body: Schemas['CreateUser']) => unwrap(api.POST('/api/v1/users', { body })),
    invalidates: [USERS_KEY, INSTITUTIONS_KEY],
    onSuccess: () => {
      setForm((f) => ({ ...EMPTY_USER, institution: f.institution }));
      setShowPassword(false);
      firstRef.current?.focus();
    },
  });

  useEffect(() => firstRef.current?.focus(), []);

  const set =
    (key: keyof typeof EMPTY_USER) =>
    (event: { target: { value: string } }): void =>
      setForm((f) => ({ ...f, [key]: event.target.value }));
  const scoped = kind === 'operator' && form.institution !== '';
  const optional = (value: string): string | undefined => value.trim() || undefined;

  const submit = (): void => {
    create.reset();
    create.start({
      kind,
      username: form.username.trim(),
      displayName: form.displayName.trim(),
      password: form.password,
      mustChangePassword: mustChange,
      designation: optional(form.designation),
      institution: optional(form.institution),
      email: optional(form.email),
      phone: optional(form.phone),
      ...(kind === 'operator'
        ? { roles: roles.filter((r) => !scoped || INSTITUTION_SCOPED_ROLES.includes(r)) }
        : {}),
    });
  };

  const created = create.result;
  return (
    <section className="card form-card" aria-labelledby="create-user-heading">
      <h2 id="create-user-heading">Add a user</h2>
      <CreateForm
        ariaLabel="Add a user"
        create={create}
        onSubmit={submit}
        onClose={onClose}
        errorTitle="The user was not created"
        submitLabel={kind === 'official' ? 'Create official' : 'Create operator'}
        status={
          created ? (
            <p className="success-text">
              Created {created.kind} <code>{created.username}</code>
              {created.mustChangePassword ? ' (must change the password at first sign-in)' : ''}.{' '}
              <Link to={`/users/${created.id}`}>Open {created.username}</Link>
            </p>
          ) : null
        }
      >
        <RadioRow
          legend="Kind"
          name="user-kind"
          value={kind}
          onChange={setKind}
          choices={[
            {
              value: 'official',
              label: (
                <>
                  Official <span className="hint">(staff of an institution)</span>
                </>
              ),
            },
            {
              value: 'operator',
              disabled: !canCreateOperators,
              label: (
                <>
                  NOC operator{' '}
                  <span className="hint">
                    {canCreateOperators ? '(with roles)' : '(needs the super-admin role)'}
                  </span>
                </>
              ),
            },
          ]}
        />
        <div className="form-grid">
          <Field id="new-user-username" label="Username">
            <input
              ref={firstRef}
              id="new-user-username"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              minLength={2}
              maxLength={64}
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]*"
              title="Letters, digits, dot, dash and underscore, starting with a letter or digit"
              value={form.username}
              onChange={set('username')}
            />
          </Field>
          <Field id="new-user-name" label="Display name">
            <input
              id="new-user-name"
              autoComplete="off"
              required
              maxLength={200}
              value={form.displayName}
              onChange={set('displayName')}
            />
          </Field>
          <Field id="new-user-designation" label="Designation" optional>
            <input
              id="new-user-designation"
              autoComplete="off"
              maxLength={200}
              value={form.designation}
              onChange={set('designation')}
            />
          </Field>
          <Field id="new-user-institution" label="Institution" optional={kind === 'operator'}>
            <InstitutionSelect
              id="new-user-institution"
              value={form.institution}
              onChange={(institution) => setForm((f) => ({ ...f, institution }))}
              institutions={institutions}
              {...(kind === 'operator' ? { noneLabel: 'None (national)' } : {})}
            />
          </Field>
          <Field id="new-user-email" label="Email" optional>
            <input
              id="new-user-email"
              type="email"
              autoComplete="off"
              maxLength={254}
              value={form.email}
              onChange={set('email')}
            />
          </Field>
          <Field id="new-user-phone" label="Phone" optional>
            <input
              id="new-user-phone"
              type="tel"
              autoComplete="off"
              pattern="\+?[0-9 \(\)\-]{5,20}"
              title="A phone number such as +92 51 1234567"
              value={form.phone}
              onChange={set('phone')}
            />
          </Field>
          <Field
            id="new-user-password"
            label="First password"
            hint={
              <>
                At least 12 characters.{' '}
                <button
                  type="button"
                  className="button-link"
                  onClick={() => {
                    setForm((f) => ({ ...f, password: generatePassword() }));
                    setShowPassword(true);
                  }}
                >
                  Generate one
                </button>
              </>
            }
          >
            <input
              id="new-user-password"
              type={showPassword ? 'text' : 'password'}
              autoComplete="new-password"
              spellCheck={false}
              required
              minLength={12}
              maxLength={64}
              aria-describedby="new-user-password-hint"
              value={form.password}
              onChange={set('password')}
            />
          </Field>
        </div>
        <ul className="checkbox-list">
          <li>
            <input
              id="new-user-must-change"
              type="checkbox"
              checked={mustChange}
              onChange={(event) => setMustChange(event.target.checked)}
            />
            <label htmlFor="new-user-must-change">
              Must change password at first sign-in{' '}
              <span className="hint">(the user picks their own; this one then stops working)</span>
            </label>
          </li>
        </ul>
        {kind === 'operator' ? (
          <RoleCheckboxes idPrefix="new-user-role" value={roles} onChange={setRoles} scoped={scoped} />
        ) : null}
      </CreateForm>
    </section>
  );
}
