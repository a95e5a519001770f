import { useState } from 'react';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { usePermissions } from '../../auth/permissions';
import { Link } from '../../router';
import { OrgsSection } from './OrgsSection';
import { storeKeys, storeQueries, storeWrites, type StoreApp, type StoreAppVersion } from './queries';
import { approvalProgress, shortDigest } from './review-rules';
import { versionLabel, withAdvice } from './rollout-rules';

const STATE_TONE: Record<StoreAppVersion['state'], Tone> = {
  uploaded: 'neutral',
  in_review: 'warn',
  approved: 'good',
  rejected: 'bad',
  withdrawn: 'neutral',
};

/** In review or approved → withdrawn (the server's version_not_withdrawable refuses the rest). */
const WITHDRAWABLE: readonly StoreAppVersion['state'][] = ['in_review', 'approved'];

/**
 * The kill switch of an approved version, behind a required reason and a confirmation: unlike withdrawing,
 * it also uninstalls the version from the handsets that have it and halts its rollouts.
 */
function KillSwitch({ app, version }: { app: StoreApp; version: StoreAppVersion }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const kill = useApiMutation({
    run: async (why: string) => {
      try {
        return await storeWrites.kill(version.id, why);
      } catch (err) {
        throw withAdvice(err);
      }
    },
    invalidates: [storeKeys.all],
  });
  const name = `${app.packageName} ${versionLabel(version)}`;
  if (done) return <p role="status">{done}</p>;
  if (!open)
    return (
      <button
        type="button"
        className="button button-danger button-small"
        aria-label={`Kill switch for ${name}`}
        onClick={() => setOpen(true)}
      >
        Kill switch…
      </button>
    );
  const id = `kill-reason-${version.id}`;
  return (
    <div role="group" aria-label={`Kill switch for ${name}`}>
      <Field id={id} label="Reason (recorded and audited)">
        <input id={id} required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <ConfirmButton
        label="Kill this version"
        accessibleName={`Kill ${name}`}
        question={`Kill ${name}? It is withdrawn from every catalogue, its rollouts are halted, and it is uninstalled from every handset that has it, in every institution. This cannot be undone.`}
        confirmLabel="Kill it everywhere"
        busyLabel="Killing…"
        errorTitle="The version was not killed"
        small
        disabled={reason.trim() === ''}
        onConfirm={async () => {
          const r = await kill.run(reason.trim());
          setDone(
            `Killed: withdrawn, ${r.haltedRollouts.length} rollout(s) halted, ${r.installsCancelled} pending install(s) cancelled, ${r.uninstallsQueued} uninstall(s) queued.`,
          );
        }}
      />{' '}
      <button type="button" className="button button-secondary button-small" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </div>
  );
}

/**
 * Approved → killed; a withdrawn version may be killed too (again): it only searches the handsets, and
 * uninstalls it from those that reported it since.
 */
const KILLABLE: readonly StoreAppVersion['state'][] = ['approved', 'withdrawn'];

function Versions({ app }: { app: StoreApp }) {
  const versions = useApiQuery(storeQueries.versions(app.id));
  const { can } = usePermissions();
  const withdraw = useApiMutation({
    run: (versionId: string) => storeWrites.withdraw(versionId),
    invalidates: [storeKeys.all],
  });
  if (versions.error)
    return (
      <ErrorNotice error={versions.error} title="Could not load the versions" onRetry={versions.refresh} />
    );
  const list = versions.data?.versions;
  if (!list) return <p className="muted">Loading…</p>;
  if (list.length === 0) return <p className="muted">No versions.</p>;
  const needed = app.mandatory ? 2 : 1;
  return (
    <table className="table" aria-label={`Versions of ${app.packageName}`}>
      <thead>
        <tr>
          <th>Version</th>
          <th>Code</th>
          <th>Track</th>
          <th>State</th>
          <th>Reviews</th>
          <th>Uploaded</th>
          <th>
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.map((v) => (
          <tr key={v.id}>
            <td>{v.versionName ?? ''}</td>
            <td>{v.versionCode}</td>
            <td>{v.track}</td>
            <td>
              <StatusPill value={v.state} tone={STATE_TONE[v.state]} />
            </td>
            <td title={v.reviews.map((r) => `${r.decision}: ${r.reason}`).join('\n')}>
              {v.state === 'in_review'
                ? approvalProgress(v.reviews, needed).text
                : `${v.reviews.length} decision(s)`}
            </td>
            <td>{formatDateTime(v.createdAt)}</td>
            <td>
              {WITHDRAWABLE.includes(v.state) && can('POST /api/v1/store/versions/{id}/withdraw') ? (
                <ConfirmButton
                  label="Withdraw"
                  accessibleName={`Withdraw ${app.packageName} ${v.versionName ?? v.versionCode}`}
                  question="Withdraw this version? Handsets stop being offered it."
                  confirmLabel="Withdraw"
                  busyLabel="Withdrawing…"
                  errorTitle="Could not withdraw this version"
                  small
                  onConfirm={() => withdraw.run(v.id).then(() => undefined)}
                />
              ) : null}
              {KILLABLE.includes(v.state) && can('POST /api/v1/store/versions/{id}/kill') ? (
                <KillSwitch app={app} version={v} />
              ) : null}
              {can('GET /api/v1/store/rollouts') ? (
                <Link
                  to={`/store/rollouts?version=${encodeURIComponent(v.id)}`}
                  aria-label={`Rollouts of ${app.packageName} ${versionLabel(v)}`}
                >
                  Rollouts
                </Link>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MandatoryToggle({ app }: { app: StoreApp }) {
  const { can } = usePermissions();
  const write = useApiMutation({
    run: (mandatory: boolean) => storeWrites.mandatory(app.id, mandatory),
    invalidates: [storeKeys.all],
  });
  if (!can('PUT /api/v1/store/apps/{id}/mandatory'))
    return app.mandatory ? <StatusPill value="mandatory" tone="warn" /> : null;
  return (
    <>
      <label>
        <input
          type="checkbox"
          checked={app.mandatory}
          disabled={write.pending}
          onChange={(e) => write.start(e.target.checked)}
        />{' '}
        Mandatory (installed on every handset; versions need two distinct approvers)
      </label>
      {write.error ? <ErrorNotice error={write.error} title="Could not change the mandatory flag" /> : null}
    </>
  );
}

/** The apps the caller may see (a developer: their organisations' only) with every version and its state. */
export function AppsPage() {
  const apps = useApiQuery(storeQueries.apps());
  const { can } = usePermissions();
  const reviewer = can('GET /api/v1/store/orgs');
  const orgs = useApiQuery(storeQueries.orgs(), { enabled: reviewer });
  const orgName = (id: string) => orgs.data?.orgs.find((o) => o.id === id)?.name ?? shortDigest(id, 8);
  const list = apps.data?.apps ?? [];
  return (
    <>
      <PageHeader
        title="Apps"
        subtitle={
          <>
            Apps in the store with their versions. Developers publish with `pakawaaz store publish`; reviewers
            decide on the <Link to="/store/reviews">review queue</Link>.
          </>
        }
        onRefresh={apps.refresh}
        refreshing={apps.fetching}
      />
      {apps.error ? (
        <ErrorNotice error={apps.error} title="Could not load the apps" onRetry={apps.refresh} />
      ) : null}
      {apps.data && list.length === 0 ? <p className="muted">No apps yet.</p> : null}
      {list.map((app) => (
        <section key={app.id} className="card card-stacked review-card" aria-label={app.packageName}>
          <h2>
            <code className="mono">{app.packageName}</code>
          </h2>
          <p>
            {orgName(app.orgId)} · signer{' '}
            <code className="mono" title={app.pinnedSigner}>
              {shortDigest(app.pinnedSigner)}
            </code>{' '}
            · since {formatDateTime(app.createdAt)}
          </p>
          <MandatoryToggle app={app} />
          <Versions app={app} />
        </section>
      ))}
      {reviewer ? <OrgsSection /> : null}
    </>
  );
}
