import { useState, type ReactNode } from 'react';
import { asApiError } from '../../api/client';
import { Field, Form } from '../../components/Form';
import { useApiMutation } from '../../data/hooks';
import { api, unwrap } from '../../api/client';
import type { DevicePolicy } from './types';
import { baseVersionOf, draftOf, settingsOf, type PolicyDraft } from './policy-draft';
import { DEVICE_POLICIES_KEY, DEVICES_KEY } from './queries';

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

export function PolicyEditor({
  scope,
  policy,
  readOnly,
  onReload,
}: {
  scope: string;
  policy: DevicePolicy;
  readOnly: boolean;
  onReload: () => void;
}) {
  const [draft, setDraft] = useState<PolicyDraft>(() => draftOf(policy.settings));
  const set = <K extends keyof PolicyDraft>(key: K, value: PolicyDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const text = (key: keyof PolicyDraft) => ({
    value: draft[key] as string,
    disabled: readOnly,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value as never),
  });
  const save = useApiMutation({
    run: (d: PolicyDraft) =>
      unwrap(
        api.PUT('/api/v1/device-policies/{scope}', {
          params: { path: { scope } },
          body: { settings: settingsOf(d), baseVersion: baseVersionOf(scope, policy) },
        }),
      ),
    invalidates: [DEVICE_POLICIES_KEY, DEVICES_KEY],
  });
  const changed = save.error !== null && asApiError(save.error).code === 'policy_changed';

  return (
    <section className="card form-card card-stacked" aria-labelledby="policy-editor-heading">
      <h2 id="policy-editor-heading">{readOnly ? 'Settings' : 'Edit the settings'}</h2>
      {policy.source !== 'institution' && scope !== 'national' && !readOnly ? (
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
        <fieldset className="fieldset" disabled={readOnly}>
          <legend>Screen lock</legend>
          <Check
            id="policy-lock-required"
            label="A secure screen lock is required"
            checked={draft.screenLockRequired}
            disabled={readOnly}
            onChange={(v) => set('screenLockRequired', v)}
          />
          <div className="form-grid">
            <Field id="policy-lock-length" label="Minimum PIN/password length">
              <input id="policy-lock-length" type="number" min={4} max={64} required {...text('minLength')} />
            </Field>
            <Field id="policy-lock-idle" label="Lock after idle (seconds)">
              <input
                id="policy-lock-idle"
                type="number"
                min={15}
                max={3600}
                required
                {...text('maxIdleSeconds')}
              />
            </Field>
          </div>
        </fieldset>
        <fieldset className="fieldset" disabled={readOnly}>
          <legend>Hardware and system</legend>
          <Check
            id="policy-camera"
            label="Camera allowed"
            checked={draft.cameraAllowed}
            disabled={readOnly}
            onChange={(v) => set('cameraAllowed', v)}
          />
          <Check
            id="policy-usb"
            label="USB data allowed (charging is always allowed)"
            checked={draft.usbDataAllowed}
            disabled={readOnly}
            onChange={(v) => set('usbDataAllowed', v)}
          />
          <Check
            id="policy-screenshots"
            label="Screenshots allowed"
            checked={draft.screenshotsAllowed}
            disabled={readOnly}
            onChange={(v) => set('screenshotsAllowed', v)}
          />
          <Check
            id="policy-developer"
            label="Developer options allowed"
            checked={draft.developerOptionsAllowed}
            disabled={readOnly}
            onChange={(v) => set('developerOptionsAllowed', v)}
          />
        </fieldset>
        <fieldset className="fieldset" disabled={readOnly}>
          <legend>Apps</legend>
          <Field
            id="policy-required-apps"
            label="Required apps"
            hint="Package names, one per line; the agent installs them."
          >
            <textarea
              id="policy-required-apps"
              rows={3}
              spellCheck={false}
              aria-describedby="policy-required-apps-hint"
              {...text('requiredApps')}
            />
          </Field>
          <Check
            id="policy-restrict-apps"
            label="Only allow listed apps (besides the OS image's own)"
            checked={draft.restrictApps}
            disabled={readOnly}
            onChange={(v) => set('restrictApps', v)}
          />
          {draft.restrictApps ? (
            <Field
              id="policy-allowed-apps"
              label="Allowed apps"
              hint="Package names, one per line; required apps must be listed too."
            >
              <textarea
                id="policy-allowed-apps"
                rows={4}
                spellCheck={false}
                aria-describedby="policy-allowed-apps-hint"
                {...text('allowedApps')}
              />
            </Field>
          ) : null}
        </fieldset>
        <fieldset className="fieldset" disabled={readOnly}>
          <legend>Updates and compliance</legend>
          <div className="form-grid">
            <Field id="policy-update-start" label="Update window from">
              <input id="policy-update-start" type="time" required {...text('updateStart')} />
            </Field>
            <Field id="policy-update-end" label="Update window to">
              <input id="policy-update-end" type="time" required {...text('updateEnd')} />
            </Field>
            <Field
              id="policy-patch"
              label="Minimum patch level"
              optional
              hint="Month (YYYY-MM); empty: the hardened OS releases' minimum."
            >
              <input
                id="policy-patch"
                type="month"
                pattern="\d{4}-(0[1-9]|1[0-2])"
                placeholder="YYYY-MM"
                aria-describedby="policy-patch-hint"
                {...text('minimumPatchLevel')}
              />
            </Field>
            <Field id="policy-attestation-age" label="Maximum attestation age (hours)">
              <input
                id="policy-attestation-age"
                type="number"
                min={1}
                max={720}
                required
                {...text('maxAttestationAgeHours')}
              />
            </Field>
            <Field
              id="policy-grace"
              label="Grace (hours)"
              hint="How long a device may stay out of compliance before it is non-compliant and its official's tokens stop working."
            >
              <input
                id="policy-grace"
                type="number"
                min={0}
                max={720}
                required
                aria-describedby="policy-grace-hint"
                {...text('graceHours')}
              />
            </Field>
            <Field id="policy-check-in" label="Check-in interval (minutes)">
              <input
                id="policy-check-in"
                type="number"
                min={1}
                max={1440}
                required
                {...text('checkInMinutes')}
              />
            </Field>
          </div>
        </fieldset>
      </Form>
    </section>
  );
}
