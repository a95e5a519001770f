import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { Link } from '../../router';
import type { ProfileTemplate } from '../profiles/queries';
import { subscriberKeys } from './queries';

const EMPTY_ASSIGN = {
  imsi: '',
  userId: '',
  displayName: '',
  institutionId: '',
  profile: '',
  staticIpv4: '',
};
type AssignDraft = typeof EMPTY_ASSIGN;

const assign = (form: AssignDraft, profile: string) =>
  unwrap(
    api.POST('/api/v1/subscribers', {
      body: {
        imsi: form.imsi.trim(),
        userId: form.userId.trim(),
        displayName: form.displayName.trim(),
        ...(form.institutionId.trim() ? { institutionId: form.institutionId.trim() } : {}),
        ...(profile ? { profile } : {}),
        ...(form.staticIpv4.trim() ? { staticIpv4: form.staticIpv4.trim() } : {}),
      },
    }),
  );

export function AssignForm({ profiles }: { profiles: ProfileTemplate[] }) {
  const [form, setForm] = useState(EMPTY_ASSIGN);
  const profile =
    form.profile || (profiles.some((p) => p.name === 'default') ? 'default' : (profiles[0]?.name ?? ''));
  const mutation = useApiMutation({
    run: (draft: AssignDraft) => assign(draft, profile),
    invalidates: [subscriberKeys.all],
    onSuccess: () => setForm(EMPTY_ASSIGN),
  });
  const assigned = mutation.result;
  const set = (field: keyof AssignDraft) => (event: { target: { value: string } }) =>
    setForm({ ...form, [field]: event.target.value });

  return (
    <Form
      onSubmit={() => mutation.start(form)}
      pending={mutation.pending}
      error={mutation.error}
      errorTitle="The SIM was not assigned"
      submitLabel="Assign SIM"
      busyLabel="Assigning…"
      status={
        assigned && !mutation.pending ? (
          <p className="success-text">
            Assigned <code>{assigned.imsi}</code> to {assigned.displayName}.{' '}
            <Link to={`/subscribers/${assigned.imsi}`}>Open subscriber {assigned.imsi}</Link>
          </p>
        ) : null
      }
    >
      <div className="form-grid">
        <Field id="assign-imsi" label="IMSI">
          <input
            id="assign-imsi"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            required
            pattern="\d{15}"
            maxLength={15}
            title="15 digits"
            value={form.imsi}
            onChange={set('imsi')}
          />
        </Field>
        <Field id="assign-user" label="User ID">
          <input
            id="assign-user"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={128}
            value={form.userId}
            onChange={set('userId')}
          />
        </Field>
        <Field id="assign-name" label="Display name">
          <input
            id="assign-name"
            autoComplete="off"
            required
            maxLength={200}
            value={form.displayName}
            onChange={set('displayName')}
          />
        </Field>
        <Field id="assign-institution" label="Institution ID" optional>
          <input
            id="assign-institution"
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            value={form.institutionId}
            onChange={set('institutionId')}
          />
        </Field>
        <Field id="assign-profile" label="Profile">
          <select id="assign-profile" value={profile} onChange={set('profile')} required>
            {profiles.length === 0 ? <option value="">Loading…</option> : null}
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="assign-ip" label="Static IPv4" optional>
          <input
            id="assign-ip"
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            pattern="((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)"
            title="An IPv4 address such as 10.45.0.10"
            value={form.staticIpv4}
            onChange={set('staticIpv4')}
          />
        </Field>
      </div>
    </Form>
  );
}
