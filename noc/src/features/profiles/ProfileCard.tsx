import { useState } from 'react';
import { usePermissions } from '../../auth/permissions';
import { formatDateTime } from '../../format';
import { sliceLabel, summariseProfile, type ProfileSummary } from '../../profileSummary';
import { ProfileEditor } from './ProfileEditor';
import type { ProfileTemplate } from './queries';

export function ProfileCard({
  template,
  onSaved,
}: {
  template: ProfileTemplate;
  onSaved: (name: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const mayEdit = usePermissions().can('PUT /api/v1/subscriber-profiles/{name}');
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
          {!editing && mayEdit ? (
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
