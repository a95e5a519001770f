import { useState, type FormEvent } from 'react';
import { usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { PageHeader } from '../../components/PageHeader';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { useInstitutions } from '../institutions/queries';
import { storeKeys, storeQueries, storeWrites } from './queries';
import {
  describeSetting,
  floorRefusal,
  permissionsOf,
  STORE_POLICY_LABELS,
  type StorePolicySettings,
} from './store-policy-rules';

const SETTINGS = ['permissionDeny', 'permissionAllow', 'minTargetSdk', 'allowCleartext'] as const;

/**
 * The app store's policies: the national one and each institution's. The national policy is a floor: an
 * institution's may be stricter, never weaker, and uploads are checked against the effective policy — the
 * institution's raised to the national one in force.
 */
export function StorePoliciesPage() {
  const { can } = usePermissions();
  const { institutions } = useInstitutions();
  const [institutionId, setInstitutionId] = useState('');
  const scope = institutionId || 'national';
  const policy = useApiQuery(storeQueries.policy(scope));
  const view = policy.data;

  return (
    <>
      <PageHeader
        title="Store policies"
        subtitle={
          <>
            What an uploaded APK must be to be approved. The national policy is a floor: an institution’s may
            be stricter, never weaker, and uploads are checked against the effective policy.
          </>
        }
      />
      <Field id="store-policy-scope" label="Policy of">
        <InstitutionSelect
          id="store-policy-scope"
          value={institutionId}
          onChange={setInstitutionId}
          institutions={institutions}
          noneLabel="National"
        />
      </Field>
      {policy.error ? (
        <ErrorNotice error={policy.error} title="Could not load the policy" onRetry={policy.refresh} />
      ) : null}
      {view ? (
        <section aria-labelledby="store-policy-heading">
          <h2 id="store-policy-heading">In force</h2>
          <p className="muted">
            {view.inherited
              ? 'No policy of its own: the national policy (or the built-in default) applies.'
              : 'Its own policy, raised to the national policy where that is stricter.'}
          </p>
          <div className="table-wrap">
            <table aria-label="Store policy in force">
              <thead>
                <tr>
                  <th scope="col">Setting</th>
                  <th scope="col">{view.inherited ? 'Inherited' : 'Its own'}</th>
                  <th scope="col">Effective</th>
                </tr>
              </thead>
              <tbody>
                {SETTINGS.map((f) => (
                  <tr key={f}>
                    <th scope="row">{STORE_POLICY_LABELS[f]}</th>
                    <td>{describeSetting(f, view.policy)}</td>
                    <td>{describeSetting(f, view.effective)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {can('PUT /api/v1/store/policies/{scope}') ? (
            <StorePolicyForm
              key={`${scope}:${JSON.stringify(view.policy)}`}
              scope={scope}
              stored={view.policy}
            />
          ) : null}
        </section>
      ) : null}
    </>
  );
}

type Draft = { deny: string; allow: string; anyAllowed: boolean; minTargetSdk: number; cleartext: boolean };

function StorePolicyForm({ scope, stored }: { scope: string; stored: StorePolicySettings }) {
  const [draft, setDraft] = useState<Draft>({
    deny: stored.permissionDeny.join('\n'),
    allow: (stored.permissionAllow ?? []).join('\n'),
    anyAllowed: stored.permissionAllow === null,
    minTargetSdk: stored.minTargetSdk,
    cleartext: stored.allowCleartext,
  });
  const save = useApiMutation({
    run: (body: StorePolicySettings) => storeWrites.setPolicy(scope, body),
    invalidates: [storeKeys.all],
  });
  const weaker = floorRefusal(save.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.start({
      permissionDeny: permissionsOf(draft.deny),
      permissionAllow: draft.anyAllowed ? null : permissionsOf(draft.allow),
      minTargetSdk: draft.minTargetSdk,
      allowCleartext: draft.cleartext,
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-label="Store policy">
      <h3>{scope === 'national' ? 'Set the national policy' : 'Set this institution’s policy'}</h3>
      {weaker.length > 0 ? (
        <div className="notice notice-error" role="alert">
          <strong className="notice-title">Weaker than the national policy</strong>
          <p className="notice-message">
            An institution’s policy may be stricter than the national one, never weaker. Tighten:
          </p>
          <ul className="notice-issues">
            {weaker.map((label) => (
              <li key={label}>{label}</li>
            ))}
          </ul>
        </div>
      ) : save.error ? (
        <ErrorNotice error={save.error} title="Not saved" />
      ) : null}
      <PermissionsField
        id="store-policy-deny"
        label="Denied permissions (one a line)"
        value={draft.deny}
        onChange={(deny) => setDraft({ ...draft, deny })}
      />
      <CheckField
        id="store-policy-any"
        label="Any permission that is not denied"
        checked={draft.anyAllowed}
        onChange={(anyAllowed) => setDraft({ ...draft, anyAllowed })}
      />
      {draft.anyAllowed ? null : (
        <PermissionsField
          id="store-policy-allow"
          label="Allowed permissions (one a line)"
          value={draft.allow}
          onChange={(allow) => setDraft({ ...draft, allow })}
        />
      )}
      <Field id="store-policy-sdk" label="Lowest target SDK">
        <input
          id="store-policy-sdk"
          type="number"
          min={1}
          max={100}
          required
          value={draft.minTargetSdk}
          onChange={(e) => setDraft({ ...draft, minTargetSdk: Number(e.target.value) })}
        />
      </Field>
      <CheckField
        id="store-policy-cleartext"
        label="Allow cleartext HTTP"
        checked={draft.cleartext}
        onChange={(cleartext) => setDraft({ ...draft, cleartext })}
      />
      <button type="submit" className="button button-primary" disabled={save.pending}>
        {save.pending ? 'Saving…' : 'Save policy'}
      </button>
    </form>
  );
}

type Control<T> = { id: string; label: string; onChange: (value: T) => void };

function PermissionsField({ id, label, value, onChange }: Control<string> & { value: string }) {
  return (
    <Field id={id} label={label}>
      <textarea id={id} rows={4} value={value} onChange={(e) => onChange(e.target.value)} />
    </Field>
  );
}

function CheckField({ id, label, checked, onChange }: Control<boolean> & { checked: boolean }) {
  return (
    <div className="field field-check">
      <label htmlFor={id}>
        <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />{' '}
        {label}
      </label>
    </div>
  );
}
