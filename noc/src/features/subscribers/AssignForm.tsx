import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { Link } from '../../router';
import type { ProfileTemplate } from '../profiles/queries';
import { OfficialPicker, type PickedOfficial } from './OfficialPicker';
import { subscriberKeys } from './queries';

type AssignDraft = {
  imsi: string;
  official: PickedOfficial | null;
  profile: string;
  staticIpv4: string;
  staticIpv6: string;
};
const EMPTY_ASSIGN: AssignDraft = { imsi: '', official: null, profile: '', staticIpv4: '', staticIpv6: '' };

const assign = (form: AssignDraft, profile: string) =>
  unwrap(
    api.POST('/api/v1/subscribers', {
      body: {
        imsi: form.imsi.trim(),
        official: form.official?.id ?? '',
        ...(profile ? { profile } : {}),
        ...(form.staticIpv4.trim() ? { staticIpv4: form.staticIpv4.trim() } : {}),
        ...(form.staticIpv6.trim() ? { staticIpv6: form.staticIpv6.trim() } : {}),
      },
    }),
  );

/** Assigns an available SIM to a person chosen by name; their institution comes with them. */
export function AssignForm({ profiles }: { profiles: ProfileTemplate[] }) {
  const [form, setForm] = useState(EMPTY_ASSIGN);
  // A new picker after each assignment: its typed text starts empty again.
  const [round, setRound] = useState(0);
  const profile =
    form.profile || (profiles.some((p) => p.name === 'default') ? 'default' : (profiles[0]?.name ?? ''));
  const mutation = useApiMutation({
    run: (draft: AssignDraft) => assign(draft, profile),
    invalidates: [subscriberKeys.all],
    onSuccess: () => {
      setForm(EMPTY_ASSIGN);
      setRound((r) => r + 1);
    },
  });
  const assigned = mutation.result;
  const set =
    (field: 'imsi' | 'profile' | 'staticIpv4' | 'staticIpv6') => (event: { target: { value: string } }) =>
      setForm({ ...form, [field]: event.target.value });

  return (
    <Form
      onSubmit={() => mutation.start(form)}
      pending={mutation.pending}
      error={mutation.error}
      errorTitle="The SIM was not assigned"
      submitLabel="Assign SIM"
      busyLabel="Assigning…"
      disabled={form.official === null}
      status={
        assigned && !mutation.pending ? (
          <p className="success-text">
            Assigned <code>{assigned.imsi}</code> to {assigned.displayName}
            {assigned.username ? ` (${assigned.username})` : ''}
            {assigned.institutionName ? `, ${assigned.institutionName}` : ''}.{' '}
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
        <Field
          id="assign-official"
          label="Official"
          hint="Type part of a name or username, then choose the person. Their institution comes with them."
        >
          <OfficialPicker
            key={round}
            id="assign-official"
            describedBy="assign-official-hint"
            value={form.official}
            onChange={(official) => setForm((f) => ({ ...f, official }))}
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
        <Field id="assign-ipv6" label="Static IPv6" optional>
          <input
            id="assign-ipv6"
            autoComplete="off"
            spellCheck={false}
            title="An IPv6 address such as 2001:db8:cafe:ff01::10; the phone gets its whole /64"
            value={form.staticIpv6}
            onChange={set('staticIpv6')}
          />
        </Field>
      </div>
    </Form>
  );
}
