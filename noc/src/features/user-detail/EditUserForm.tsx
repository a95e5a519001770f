import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { RoleCheckboxes } from '../../components/RoleCheckboxes';
import { INSTITUTION_SCOPED_ROLES, type Institution, type Role, type User } from '../../identity';
import { useUserWrite } from './shared';

export function EditUserForm({
  user,
  institutions,
  canGrantRoles,
}: {
  user: User;
  institutions: Institution[];
  canGrantRoles: boolean;
}) {
  const initial = {
    displayName: user.displayName,
    designation: user.designation ?? '',
    institution: user.institutionId ?? '',
    email: user.email ?? '',
    phone: user.phone ?? '',
  };
  const [form, setForm] = useState(initial);
  const [roles, setRoles] = useState<Role[]>(user.roles as Role[]);
  const [saved, setSaved] = useState(false);
  const save = useUserWrite(
    user.id,
    (body: Schemas['UpdateUser']) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body })),
    (u) => u,
  );
  const scoped = form.institution !== '';
  const grantedRoles = roles.filter((r) => !scoped || INSTITUTION_SCOPED_ROLES.includes(r));
  const rolesChanged =
    user.kind === 'operator' &&
    canGrantRoles &&
    [...grantedRoles].sort().join() !== [...user.roles].sort().join();

  const set =
    (key: keyof typeof initial) =>
    (event: { target: { value: string } }): void => {
      setForm((f) => ({ ...f, [key]: event.target.value }));
      setSaved(false);
    };

  /** Only what changed is sent: an untouched field is never rewritten (nor audited as changed). */
  const patch = (): Schemas['UpdateUser'] => {
    const text = (value: string) => value.trim() || null;
    const body: Schemas['UpdateUser'] = {};
    if (form.displayName.trim() !== user.displayName) body.displayName = form.displayName.trim();
    if (text(form.designation) !== user.designation) body.designation = text(form.designation);
    if (text(form.email) !== user.email) body.email = text(form.email);
    if (text(form.phone) !== user.phone) body.phone = text(form.phone);
    if ((form.institution || null) !== user.institutionId) body.institution = form.institution || null;
    if (rolesChanged) body.roles = grantedRoles;
    return body;
  };

  const submit = (): void => {
    const body = patch();
    if (Object.keys(body).length === 0) return;
    setSaved(false);
    save.run(body).then(
      () => setSaved(true),
      () => undefined, // shown by the form
    );
  };

  return (
    <section className="card form-card card-stacked" aria-labelledby="edit-user-heading">
      <h2 id="edit-user-heading">Edit profile</h2>
      <Form
        ariaLabel="Edit profile"
        onSubmit={submit}
        pending={save.pending}
        error={save.error}
        errorTitle="The changes were not saved"
        submitLabel="Save changes"
        busyLabel="Saving…"
        status={saved ? <p className="success-text">Saved.</p> : null}
      >
        <div className="form-grid">
          <Field id="edit-user-name" label="Display name">
            <input
              id="edit-user-name"
              autoComplete="off"
              required
              maxLength={200}
              value={form.displayName}
              onChange={set('displayName')}
            />
          </Field>
          <Field id="edit-user-designation" label="Designation">
            <input
              id="edit-user-designation"
              autoComplete="off"
              maxLength={200}
              value={form.designation}
              onChange={set('designation')}
            />
          </Field>
          <Field id="edit-user-institution" label="Institution">
            <InstitutionSelect
              id="edit-user-institution"
              value={form.institution}
              onChange={(institution) => {
                setForm((f) => ({ ...f, institution }));
                setSaved(false);
              }}
              institutions={institutions}
              {...(user.kind === 'operator' ? { noneLabel: 'None (national)' } : {})}
            />
          </Field>
          <Field id="edit-user-email" label="Email">
            <input
              id="edit-user-email"
              type="email"
              autoComplete="off"
              maxLength={254}
              value={form.email}
              onChange={set('email')}
            />
          </Field>
          <Field id="edit-user-phone" label="Phone">
            <input
              id="edit-user-phone"
              type="tel"
              autoComplete="off"
              pattern="\+?[0-9 \(\)\-]{5,20}"
              title="A phone number such as +92 51 1234567"
              value={form.phone}
              onChange={set('phone')}
            />
          </Field>
        </div>
        {user.kind === 'operator' ? (
          <>
            <RoleCheckboxes
              idPrefix="edit-user-role"
              value={roles}
              onChange={(next) => {
                setRoles(next);
                setSaved(false);
              }}
              scoped={scoped}
              disabled={!canGrantRoles}
            />
            <p className="hint">
              {canGrantRoles
                ? 'Changing the roles ends the user’s sessions: the new roles apply from the next sign-in.'
                : 'Granting roles needs the super-admin role.'}
            </p>
          </>
        ) : null}
      </Form>
    </section>
  );
}
