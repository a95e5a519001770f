import { useState } from 'react';
import { usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OpenFormButton, PageHeader } from '../../components/PageHeader';
import { useApiQuery } from '../../data/hooks';
import { ProfileCard } from './ProfileCard';
import { ProfileEditor } from './ProfileEditor';
import { profileQueries } from './queries';

const SAVE = 'PUT /api/v1/subscriber-profiles/{name}';

export function ProfilesPage() {
  const { data, error, loading, fetching, refresh } = useApiQuery(profileQueries.list());
  const { can, why } = usePermissions();
  const [creating, setCreating] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const profiles = data?.profiles;

  // The save itself refetches the list (the mutation invalidates it).
  const onSaved = (name: string): void => {
    setSaved(name);
    setCreating(false);
  };

  return (
    <>
      <PageHeader
        title="Subscriber profiles"
        subtitle={
          <>
            What a SIM is entitled to: its aggregate bit rate (UE-AMBR) and the slices and DNNs it may use,
            with their QoS.
          </>
        }
        onRefresh={refresh}
        refreshing={fetching}
      >
        {can(SAVE) ? (
          <OpenFormButton
            open={creating}
            onOpen={() => {
              setCreating(true);
              setSaved(null);
            }}
          >
            New profile
          </OpenFormButton>
        ) : (
          <span className="muted permission-note">Editing profiles: {why(SAVE)?.toLowerCase()}</span>
        )}
      </PageHeader>

      <div role="status" aria-live="polite">
        {saved ? (
          <p className="notice notice-info">
            Saved profile <strong>{saved}</strong>. Subscribers using it will be re-synced to Open5GS.
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="Could not load the profiles" onRetry={refresh} /> : null}

      {creating ? (
        <section className="card profile-card" aria-labelledby="new-profile-heading">
          <h2 id="new-profile-heading" className="profile-name">
            New profile
          </h2>
          <ProfileEditor onCancel={() => setCreating(false)} onSaved={onSaved} />
        </section>
      ) : null}

      {profiles === undefined && loading ? <p className="muted">Loading…</p> : null}
      {profiles?.length === 0 ? <p className="muted">No profiles defined.</p> : null}
      <div className="profile-list">
        {(profiles ?? []).map((p) => (
          <ProfileCard key={`${p.name}-${p.updatedAt}`} template={p} onSaved={onSaved} />
        ))}
      </div>
    </>
  );
}
