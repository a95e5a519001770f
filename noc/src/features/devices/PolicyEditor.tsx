import { useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { asApiError } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { api, unwrap } from '../../api/client';
import type { DevicePolicy } from './types';
import { baseVersionOf, draftOf, settingsOf, type PolicyDraft } from './policy-draft';
import { DEVICE_GROUPS_KEY, DEVICE_POLICIES_KEY, DEVICES_KEY } from './queries';

function Check({
  id,
  label,
  checked,
  disabled,
  onChange,
}: {
  id: string;
  label: ReactNode;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="field field-check">
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        {label}
      </label>
    </div>
  );
}

type FlagKey = {
  [K in keyof PolicyDraft]: PolicyDraft[K] extends boolean ? K : never;
}[keyof PolicyDraft];
type TextKey = Exclude<keyof PolicyDraft, FlagKey>;

/** A checkbox setting. */
type CheckField = { kind: 'check'; key: FlagKey; id: string; label: string };
/** A setting typed as text: a number, a time, a month or a list of package names (one per line). */
type InputField = {
  key: TextKey;
  id: string;
  label: string;
  hint?: string;
  /** Shown only while this checkbox is ticked. */
  shownWhen?: FlagKey;
} & (
  | { kind: 'number'; min: number; max: number }
  | { kind: 'time' }
  | { kind: 'month'; optional: true }
  | { kind: 'packages'; rows: number }
);
type PolicyField = CheckField | InputField;
/** A fieldset: its settings in order; `grid` lays the typed ones out in columns (checkboxes above them). */
type PolicyFieldset = { legend: string; grid?: boolean; fields: readonly PolicyField[] };

const check = (key: FlagKey, id: string, label: string): CheckField => ({ kind: 'check', key, id, label });
const number = (key: TextKey, id: string, label: string, min: number, max: number): InputField => ({
  kind: 'number',
  key,
  id,
  label,
  min,
  max,
});

/** Every setting of the form, by fieldset: the one place a setting's label, limits and hint are written. */
export const POLICY_FIELDSETS: readonly PolicyFieldset[] = [
  {
    legend: 'Screen lock',
    grid: true,
    fields: [
      check('screenLockRequired', 'policy-lock-required', 'A secure screen lock is required'),
      number('minLength', 'policy-lock-length', 'Minimum PIN/password length', 4, 64),
      number('maxIdleSeconds', 'policy-lock-idle', 'Lock after idle (seconds)', 15, 3600),
    ],
  },
  {
    legend: 'Hardware and system',
    fields: [
      check('cameraAllowed', 'policy-camera', 'Camera allowed'),
      check('usbDataAllowed', 'policy-usb', 'USB data allowed (charging is always allowed)'),
      check('screenshotsAllowed', 'policy-screenshots', 'Screenshots allowed'),
      check('developerOptionsAllowed', 'policy-developer', 'Developer options allowed'),
      check('allowDesktop', 'policy-desktop', 'Officials may enrol a browser as a desktop device (web chat)'),
    ],
  },
  {
    legend: 'Apps',
    fields: [
      {
        kind: 'packages',
        key: 'requiredApps',
        id: 'policy-required-apps',
        label: 'Required apps',
        hint: 'Package names, one per line; the agent installs them.',
        rows: 3,
      },
      check('restrictApps', 'policy-restrict-apps', "Only allow listed apps (besides the OS image's own)"),
      {
        kind: 'packages',
        key: 'allowedApps',
        id: 'policy-allowed-apps',
        label: 'Allowed apps',
        hint: 'Package names, one per line; required apps must be listed too.',
        rows: 4,
        shownWhen: 'restrictApps',
      },
    ],
  },
  {
    legend: 'Updates and compliance',
    grid: true,
    fields: [
      { kind: 'time', key: 'updateStart', id: 'policy-update-start', label: 'Update window from' },
      { kind: 'time', key: 'updateEnd', id: 'policy-update-end', label: 'Update window to' },
      {
        kind: 'month',
        optional: true,
        key: 'minimumPatchLevel',
        id: 'policy-patch',
        label: 'Minimum patch level',
        hint: "Month (YYYY-MM); empty: the hardened OS releases' minimum.",
      },
      number('maxAttestationAgeHours', 'policy-attestation-age', 'Maximum attestation age (hours)', 1, 720),
      {
        ...number('graceHours', 'policy-grace', 'Grace (hours)', 0, 720),
        hint: "How long a device may stay out of compliance before it is non-compliant and its official's tokens stop working.",
      },
      number('checkInMinutes', 'policy-check-in', 'Check-in interval (minutes)', 1, 1440),
    ],
  },
];

/** One typed setting, drawn from its row of POLICY_FIELDSETS. */
function PolicyInput({
  field: f,
  draft,
  readOnly,
  onChange,
}: {
  field: InputField;
  draft: PolicyDraft;
  readOnly: boolean;
  onChange: (key: TextKey, value: string) => void;
}) {
  const common = {
    id: f.id,
    value: draft[f.key],
    disabled: readOnly,
    onChange: (e: { target: { value: string } }) => onChange(f.key, e.target.value),
    ...(f.hint ? { 'aria-describedby': `${f.id}-hint` } : {}),
  };
  const input = (() => {
    switch (f.kind) {
      case 'number':
        return <input type="number" min={f.min} max={f.max} required {...common} />;
      case 'time':
        return <input type="time" required {...common} />;
      case 'month':
        return <input type="month" pattern="\d{4}-(0[1-9]|1[0-2])" placeholder="YYYY-MM" {...common} />;
      case 'packages':
        return <textarea rows={f.rows} spellCheck={false} {...common} />;
    }
  })();
  return (
    <Field
      id={f.id}
      label={f.label}
      {...(f.kind === 'month' ? { optional: true } : {})}
      {...(f.hint ? { hint: f.hint } : {})}
    >
      {input}
    </Field>
  );
}

export function PolicyEditor({
  scope,
  policy,
  readOnly,
  onReload,
  groupId,
}: {
  scope: string;
  policy: DevicePolicy;
  readOnly: boolean;
  onReload: () => void;
  /** A device group's policy (its own route) rather than the nation's or an institution's. */
  groupId?: string;
}) {
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(policy.settings));
  const setField = <K extends keyof PolicyDraft>(key: K, value: PolicyDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const client = useQueryClient();
  const save = useApiMutation({
    run: (d: PolicyDraft) => {
      const body = { settings: settingsOf(d), baseVersion: baseVersionOf(scope, policy) };
      return unwrap(
        groupId
          ? api.PUT('/api/v1/device-groups/{id}/policy', { params: { path: { id: groupId } }, body })
          : api.PUT('/api/v1/device-policies/{scope}', { params: { path: { scope } }, body }),
      );
    },
    // Read again after a save only: after a 409 the page must keep the operator's draft and the notice
    // (reading the newer version would start the editor again and lose both); "Reload the policy" reads it.
    onSuccess: () => {
      for (const queryKey of [DEVICE_POLICIES_KEY, DEVICES_KEY, DEVICE_GROUPS_KEY])
        void client.invalidateQueries({ queryKey });
    },
  });
  const changed = save.error !== null && asApiError(save.error).code === 'policy_changed';

  return (
    <section className="card form-card card-stacked" aria-labelledby="policy-editor-heading">
      <h2 id="policy-editor-heading">{readOnly ? 'Settings' : 'Edit the settings'}</h2>
      {groupId && policy.source !== 'group' && !readOnly ? (
        <p className="card-lead">
          Saving gives this group a policy of its own, starting from the settings below. It may differ from
          the institution&apos;s, but never be weaker than the national policy.
        </p>
      ) : null}
      {!groupId && policy.source !== 'institution' && scope !== 'national' && !readOnly ? (
        <p className="card-lead">
          Saving gives this institution a policy of its own, starting from the settings below.
        </p>
      ) : null}
      {changed ? (
        <div className="notice notice-warn" role="alert">
          <strong className="notice-title">Someone else changed this policy meanwhile</strong>
          <p className="notice-message">
            Your changes were not saved. Reload the policy to see the new version, then make your changes
            again.
          </p>
          <button type="button" className="button button-secondary button-small" onClick={onReload}>
            Reload the policy
          </button>
        </div>
      ) : null}
      <Form
        onSubmit={() => save.start(draft)}
        pending={save.pending}
        error={changed ? null : save.error}
        errorTitle="The policy was not saved"
        submitLabel="Save policy"
        busyLabel="Saving…"
        disabled={readOnly}
        ariaLabel="Device policy"
        status={
          save.result && !save.pending ? (
            <p className="success-text">Saved as version {save.result.version}.</p>
          ) : null
        }
      >
        {POLICY_FIELDSETS.map((set) => {
          const shown = set.fields.filter((f) => f.kind === 'check' || !f.shownWhen || draft[f.shownWhen]);
          const render = (f: PolicyField) =>
            f.kind === 'check' ? (
              <Check
                key={f.key}
                id={f.id}
                label={f.label}
                checked={draft[f.key]}
                disabled={readOnly}
                onChange={(v) => setField(f.key, v)}
              />
            ) : (
              <PolicyInput key={f.key} field={f} draft={draft} readOnly={readOnly} onChange={setField} />
            );
          return (
            <fieldset key={set.legend} className="fieldset" disabled={readOnly}>
              <legend>{set.legend}</legend>
              {set.grid ? (
                <>
                  {shown.filter((f) => f.kind === 'check').map(render)}
                  <div className="form-grid">{shown.filter((f) => f.kind !== 'check').map(render)}</div>
                </>
              ) : (
                shown.map(render)
              )}
            </fieldset>
          );
        })}
      </Form>
    </section>
  );
}
