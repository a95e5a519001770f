import { useState } from 'react';
import { usePermissions } from '../../auth/permissions';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { InstitutionSelect } from '../../components/InstitutionSelect';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { useUrlFilters } from '../../data/url-filters';
import { formatDateTime } from '../../format';
import { isInstitutionOperator, type Institution } from '../../identity';
import { Link, navigate } from '../../router';
import { useInstitutions } from '../institutions/queries';
import { storeKeys, storeQueries, storeWrites, type StoreApp } from './queries';
import { parsePercent, versionLabel, withAdvice, type AppRollout } from './rollout-rules';

export const ROLLOUT_STATE_TONE: Record<AppRollout['state'], Tone> = {
  running: 'good',
  paused: 'warn',
  halted: 'bad',
  completed: 'neutral',
};

/** Versions a rollout may carry: approved, in a catalogue track (the server refuses pilots and the rest). */
const ROLLABLE_TRACKS: readonly string[] = ['stable', 'beta'];

const FILTERS = { institution: '', version: '' };

/** The institutions the operator acts for: all of them nationally, their own otherwise. */
function useScopedInstitutions(): { institutions: readonly Institution[]; national: boolean } {
  const { operator } = useSession();
  const { institutions } = useInstitutions();
  const national = !isInstitutionOperator(operator);
  const own = new Set(operator?.scope.institutionIds ?? []);
  return { institutions: national ? institutions : institutions.filter((i) => own.has(i.id)), national };
}

/** A version as people read it, from the app's versions (cached per app); its id until they load. */
export function VersionName({ appId, versionId }: { appId: string; versionId: string }) {
  const versions = useApiQuery(storeQueries.versions(appId));
  const v = versions.data?.versions.find((x) => x.id === versionId);
  return <>{v ? versionLabel(v) : versions.error ? 'unknown version' : '…'}</>;
}

function StartRolloutForm({ apps }: { apps: readonly StoreApp[] }) {
  const { institutions } = useScopedInstitutions();
  const [appId, setAppId] = useState('');
  const [versionId, setVersionId] = useState('');
  const [picked, setInstitutionId] = useState('');
  // An institution's reviewer has one institution (known once the list loads): it is the choice.
  const institutionId = picked || (institutions.length === 1 ? (institutions[0]?.id ?? '') : '');
  const [percent, setPercent] = useState('10');
  const versions = useApiQuery(storeQueries.versions(appId), { enabled: appId !== '' });
  const rollable = (versions.data?.versions ?? [])
    .filter((v) => v.state === 'approved' && ROLLABLE_TRACKS.includes(v.track))
    .sort((a, b) => b.versionCode - a.versionCode);
  const start = useApiMutation({
    run: async (body: { versionId: string; institutionId: string; percent: number }) => {
      try {
        return await storeWrites.startRollout(body);
      } catch (err) {
        throw withAdvice(err);
      }
    },
    invalidates: [storeKeys.rollouts],
    onSuccess: (r) => navigate(`/store/rollouts/${r.id}`),
  });
  const share = parsePercent(percent);
  const sorted = [...apps].sort((a, b) => a.packageName.localeCompare(b.packageName));
  return (
    <section className="card" aria-labelledby="start-rollout">
      <h2 id="start-rollout">Start a rollout</h2>
      <p className="muted">
        Installs an approved stable or beta version on a share of one institution&apos;s handsets (those
        already at that version or newer get nothing). Widen it later; it halts by itself when too many
        installs fail, crash or fail attestation.
      </p>
      <Form
        ariaLabel="Start a rollout"
        onSubmit={() => {
          if (share !== null) start.start({ versionId, institutionId, percent: share });
        }}
        pending={start.pending}
        error={start.error}
        errorTitle="The rollout was not started"
        submitLabel="Start rollout"
        busyLabel="Starting…"
        disabled={!versionId || !institutionId || share === null}
      >
        <div className="form-grid">
          <Field id="rollout-app" label="App">
            <select
              id="rollout-app"
              required
              value={appId}
              onChange={(e) => {
                setAppId(e.target.value);
                setVersionId('');
              }}
            >
              <option value="">Choose…</option>
              {sorted.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.packageName}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="rollout-version"
            label="Version"
            hint={
              appId && versions.data && rollable.length === 0
                ? 'This app has no approved stable or beta version.'
                : undefined
            }
          >
            <select
              id="rollout-version"
              required
              value={versionId}
              disabled={!appId}
              aria-describedby="rollout-version-hint"
              onChange={(e) => setVersionId(e.target.value)}
            >
              <option value="">Choose…</option>
              {rollable.map((v) => (
                <option key={v.id} value={v.id}>
                  {`${versionLabel(v)} · ${v.track}`}
                </option>
              ))}
            </select>
          </Field>
          <Field id="rollout-institution" label="Institution">
            <InstitutionSelect
              id="rollout-institution"
              value={institutionId}
              onChange={setInstitutionId}
              institutions={institutions}
            />
          </Field>
          <Field
            id="rollout-percent"
            label="Share of handsets (%)"
            hint="1–100; a rollout only widens later."
          >
            <input
              id="rollout-percent"
              type="number"
              min={1}
              max={100}
              step={1}
              required
              value={percent}
              aria-describedby="rollout-percent-hint"
              onChange={(e) => setPercent(e.target.value)}
            />
          </Field>
        </div>
      </Form>
    </section>
  );
}

/**
 * App rollouts in the caller's scope, newest first, with the form that starts one. National reviewers filter
 * by institution; `?version=` (the Apps page's link) narrows the list to one version's rollouts.
 */
export function RolloutsPage() {
  const { filters, draft, setDraft, show } = useUrlFilters(FILTERS);
  const { institutions, national } = useScopedInstitutions();
  const all = useInstitutions();
  const { can } = usePermissions();
  const rollouts = useApiQuery(storeQueries.rollouts(filters.institution), { pollMs: 15_000 });
  const apps = useApiQuery(storeQueries.apps());
  const appOf = (id: string) => apps.data?.apps.find((a) => a.id === id);
  const institutionName = (id: string) => all.institutions.find((i) => i.id === id)?.name ?? '…';
  const list = (rollouts.data?.rollouts ?? []).filter(
    (r) => !filters.version || r.versionId === filters.version,
  );
  return (
    <>
      <PageHeader
        title="App rollouts"
        subtitle={
          <>
            Approved versions (on <Link to="/store/apps">Apps</Link>, with their kill switch) installed on a
            growing share of an institution&apos;s handsets; a rollout halts by itself when its failure rate
            passes its threshold.
          </>
        }
        onRefresh={rollouts.refresh}
        refreshing={rollouts.fetching}
      />
      {national ? (
        <form
          className="filters"
          role="search"
          aria-label="Rollouts"
          onSubmit={(e) => {
            e.preventDefault();
            show(draft, rollouts.refresh);
          }}
        >
          <Field id="rollouts-institution" label="Institution" inline>
            <InstitutionSelect
              id="rollouts-institution"
              value={draft.institution}
              onChange={(institution) => setDraft({ ...draft, institution })}
              institutions={institutions}
              noneLabel="All institutions"
            />
          </Field>
          <button type="submit" className="button button-secondary">
            Show
          </button>
        </form>
      ) : null}
      {filters.version ? (
        <p>
          Rollouts of one version only. <Link to="/store/rollouts">Show every rollout</Link>
        </p>
      ) : null}
      {rollouts.error ? (
        <ErrorNotice error={rollouts.error} title="Could not load the rollouts" onRetry={rollouts.refresh} />
      ) : null}
      {rollouts.loading ? <p className="muted">Loading…</p> : null}
      {rollouts.data && list.length === 0 ? <p className="muted">No rollouts.</p> : null}
      {list.length > 0 ? (
        <table className="table" aria-label="App rollouts">
          <thead>
            <tr>
              <th>App</th>
              <th>Version</th>
              <th>Institution</th>
              <th>Share</th>
              <th>State</th>
              <th>Halt reason</th>
              <th>Started</th>
            </tr>
          </thead>
          <tbody>
            {list.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/store/rollouts/${r.id}`}>
                    <code className="mono">{appOf(r.appId)?.packageName ?? '…'}</code>
                  </Link>
                </td>
                <td>
                  <VersionName appId={r.appId} versionId={r.versionId} />
                </td>
                <td>{institutionName(r.institutionId)}</td>
                <td>{r.percent}%</td>
                <td>
                  <StatusPill value={r.state} tone={ROLLOUT_STATE_TONE[r.state]} />
                </td>
                <td>{r.haltReason ?? ''}</td>
                <td>
                  {formatDateTime(r.createdAt)} · {r.createdByName}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {can('POST /api/v1/store/rollouts') && apps.data ? <StartRolloutForm apps={apps.data.apps} /> : null}
    </>
  );
}
