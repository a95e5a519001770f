import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useApiMutation } from '../../data/hooks';
import { PROFILE_TEMPLATE, type SubscriberProfile } from '../../profileSummary';
import { ProfilePreview, type ProfilePreviewResult } from './ProfilePreview';
import { profileKeys, type ProfileTemplate } from './queries';

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * JSON editing of a profile: Preview lists every problem at once, the diff against the saved profile and the
 * subscribers using it; Save profile then confirms.
 */
export function ProfileEditor({
  template,
  onCancel,
  onSaved,
}: {
  template?: ProfileTemplate;
  onCancel: () => void;
  onSaved: (name: string) => void;
}) {
  const creating = template === undefined;
  const [name, setName] = useState(template?.name ?? '');
  const [description, setDescription] = useState(template?.description ?? '');
  const [json, setJson] = useState(JSON.stringify(template?.profile ?? PROFILE_TEMPLATE, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const save = useApiMutation({
    run: (body: { name: string; description: string; profile: SubscriberProfile }) =>
      unwrap(
        api.PUT('/api/v1/subscriber-profiles/{name}', {
          params: { path: { name: body.name } },
          body: { description: body.description, profile: body.profile },
        }),
      ),
    invalidates: [profileKeys.all],
    onSuccess: (_saved, body) => onSaved(body.name),
  });
  const preview = useApiMutation({
    run: (body: { name: string; profile: unknown }) =>
      unwrap(
        api.POST('/api/v1/subscriber-profiles/{name}/preview', {
          params: { path: { name: body.name } },
          body: { profile: body.profile },
        }),
      ),
  });
  const shown: ProfilePreviewResult | undefined = preview.result;
  const saving = save.pending;
  const edited = (): void => {
    preview.reset();
    save.reset();
  };
  const idBase = creating ? 'new-profile' : `edit-${template.name}`;

  // Preview first (every problem, the diff, who uses it); saving is the confirmation.
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    if (saving || preview.pending) return;
    save.reset();
    setJsonError(null);
    let profile: SubscriberProfile;
    try {
      profile = JSON.parse(json) as SubscriberProfile;
    } catch (caught) {
      setJsonError(
        `The profile is not valid JSON: ${caught instanceof Error ? caught.message : String(caught)}`,
      );
      return;
    }
    const target = name.trim();
    if (!PROFILE_NAME.test(target)) {
      setJsonError(
        'Profile names are 1-63 lower-case letters, digits and dashes, starting with a letter or digit.',
      );
      return;
    }
    if (shown?.valid) save.start({ name: target, description: description.trim(), profile });
    else preview.start({ name: target, profile });
  };

  return (
    <form className="profile-editor" onSubmit={submit}>
      {creating ? (
        <div className="field">
          <label htmlFor={`${idBase}-name`}>Name</label>
          <input
            id={`${idBase}-name`}
            required
            autoComplete="off"
            spellCheck={false}
            maxLength={63}
            pattern="[a-z0-9][a-z0-9\-]{0,62}"
            title="Lower-case letters, digits and dashes"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              edited();
            }}
          />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${idBase}-description`}>Description</label>
        <input
          id={`${idBase}-description`}
          maxLength={500}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idBase}-json`}>Profile (JSON)</label>
        <textarea
          id={`${idBase}-json`}
          className="code-input"
          rows={Math.min(24, Math.max(10, json.split('\n').length))}
          spellCheck={false}
          aria-describedby={`${idBase}-hint`}
          value={json}
          onChange={(event) => {
            setJson(event.target.value);
            edited();
          }}
        />
        <span id={`${idBase}-hint`} className="hint">
          <code>ambr</code> {'{downlink, uplink}'} with <code>value</code> and <code>unit</code> (bps … Tbps);{' '}
          <code>slices</code>: 1-8 of {'{sst, sd?, default, sessions}'}, exactly one default; each session has{' '}
          <code>dnn</code>, <code>type</code>, <code>qos.index</code> (5QI), <code>qos.arp</code> and{' '}
          <code>ambr</code>.
        </span>
      </div>
      {jsonError ? (
        <div className="notice notice-error" role="alert">
          <p className="notice-message">{jsonError}</p>
        </div>
      ) : null}
      {preview.error ? <ErrorNotice error={preview.error} title="Could not preview the profile" /> : null}
      {shown ? <ProfilePreview name={name.trim()} preview={shown} /> : null}
      {save.error ? <ErrorNotice error={save.error} title="The profile was not saved" /> : null}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={saving || preview.pending}
          aria-busy={saving || preview.pending}
        >
          {saving ? 'Saving…' : preview.pending ? 'Checking…' : shown?.valid ? 'Save profile' : 'Preview'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
