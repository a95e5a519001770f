import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatDateTime } from '../format';
import {
  PROFILE_TEMPLATE,
  sliceLabel,
  summariseProfile,
  type ProfileSummary,
  type SubscriberProfile,
} from '../profileSummary';

type ProfileTemplate = Schemas['ProfileTemplate'];

export function ProfilesPage() {
  const [profiles, setProfiles] = useState<ProfileTemplate[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [creating, setCreating] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    try {
      const list = await unwrap(api.GET('/api/v1/subscriber-profiles', { signal: controller.signal }));
      setProfiles(list.profiles);
      setError(null);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(false);
      }
    }
  }, []);

  useEffect(() => {
    void load();
    return () => controllerRef.current?.abort();
  }, [load]);

  const onSaved = (name: string): void => {
    setSaved(name);
    setCreating(false);
    void load();
  };

  return (
    <>
      <div className="page-header">
        <div>
          <h1>Subscriber profiles</h1>
          <p className="page-subtitle muted">
            What a SIM is entitled to: its aggregate bit rate (UE-AMBR) and the slices and DNNs it may use,
            with their QoS.
          </p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void load()}
            disabled={loading}
          >
            Refresh
          </button>
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setCreating(true);
              setSaved(null);
            }}
            disabled={creating}
          >
            New profile
          </button>
        </div>
      </div>

      <div role="status" aria-live="polite">
        {saved ? (
          <p className="notice notice-info">
            Saved profile <strong>{saved}</strong>. Subscribers using it will be re-synced to Open5GS.
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="Could not load the profiles" /> : null}

      {creating ? (
        <section className="card profile-card" aria-labelledby="new-profile-heading">
          <h2 id="new-profile-heading" className="profile-name">
            New profile
          </h2>
          <ProfileEditor onCancel={() => setCreating(false)} onSaved={onSaved} />
        </section>
      ) : null}

      {profiles === null && loading ? <p className="muted">Loading…</p> : null}
      {profiles?.length === 0 ? <p className="muted">No profiles defined.</p> : null}
      <div className="profile-list">
        {(profiles ?? []).map((p) => (
          <ProfileCard key={`${p.name}-${p.updatedAt}`} template={p} onSaved={onSaved} />
        ))}
      </div>
    </>
  );
}

function ProfileCard({ template, onSaved }: { template: ProfileTemplate; onSaved: (name: string) => void }) {
  const [editing, setEditing] = useState(false);
  const summary = summariseProfile(template.profile);
  const headingId = `profile-${template.name}`;
  return (
    <section className="card profile-card" aria-labelledby={headingId}>
      <div className="profile-head">
        <div>
          <h2 id={headingId} className="profile-name">
            {template.name}
          </h2>
          <p className="profile-description">
            {template.description || <span className="muted">No description.</span>}
          </p>
        </div>
        <div className="profile-meta">
          <span className="muted">
            Updated <time dateTime={template.updatedAt}>{formatDateTime(template.updatedAt)}</time>
          </span>
          {!editing ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setEditing(true)}
              aria-label={`Edit profile ${template.name}`}
            >
              Edit
            </button>
          ) : null}
        </div>
      </div>
      {summary ? (
        <ProfileSummaryView summary={summary} name={template.name} />
      ) : (
        <p className="muted">This profile is not in a recognised shape; edit it to see its JSON.</p>
      )}
      {editing ? (
        <ProfileEditor
          template={template}
          onCancel={() => setEditing(false)}
          onSaved={(name) => {
            setEditing(false);
            onSaved(name);
          }}
        />
      ) : null}
    </section>
  );
}

function ProfileSummaryView({ summary, name }: { summary: ProfileSummary; name: string }) {
  return (
    <>
      <dl className="facts profile-facts">
        <dt>UE-AMBR</dt>
        <dd>{summary.ambr}</dd>
        <dt>Slices</dt>
        <dd>{summary.slices.map((s) => sliceLabel(s) + (s.isDefault ? ' (default)' : '')).join(', ')}</dd>
      </dl>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Slices and DNNs of profile {name}</caption>
          <thead>
            <tr>
              <th scope="col">Slice</th>
              <th scope="col">DNN</th>
              <th scope="col">PDU type</th>
              <th scope="col" className="num">
                5QI
              </th>
              <th scope="col" className="num">
                ARP
              </th>
              <th scope="col">Session AMBR</th>
            </tr>
          </thead>
          <tbody>
            {summary.slices.flatMap((slice, i) =>
              slice.sessions.map((session, j) => (
                <tr key={`${i}-${j}`}>
                  {j === 0 ? (
                    <th scope="rowgroup" rowSpan={slice.sessions.length} className="nowrap">
                      {sliceLabel(slice)}
                      {slice.isDefault ? <span className="muted"> · default</span> : null}
                    </th>
                  ) : null}
                  <td>
                    <code>{session.dnn}</code>
                  </td>
                  <td>{session.type}</td>
                  <td className="num">{session.fiveQi}</td>
                  <td className="num">{session.arpPriority}</td>
                  <td className="nowrap">{session.ambr}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** JSON editing of a profile; the server validates it and its field-level errors are listed. */
function ProfileEditor({
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
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const idBase = creating ? 'new-profile' : `edit-${template.name}`;

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (saving) return;
    setError(null);
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
    setSaving(true);
    try {
      await unwrap(
        api.PUT('/api/v1/subscriber-profiles/{name}', {
          params: { path: { name: target } },
          body: { description: description.trim(), profile },
        }),
      );
      onSaved(target);
    } catch (caught) {
      setError(asApiError(caught));
      setSaving(false);
    }
  };

  return (
    <form className="profile-editor" onSubmit={(event) => void submit(event)}>
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
            onChange={(event) => setName(event.target.value)}
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
          onChange={(event) => setJson(event.target.value)}
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
      {error ? <ErrorNotice error={error} title="The profile was not saved" /> : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={saving} aria-busy={saving}>
          {saving ? 'Saving…' : 'Save profile'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}
