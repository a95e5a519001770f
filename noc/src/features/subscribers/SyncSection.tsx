import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { subscriberKeys, subscriberQueries, type SyncStatus } from './queries';
import { ExportStatus } from './ExportState';
import { DriftTable, LastSync } from './SyncReport';

const SYNC = 'POST /api/v1/open5gs/sync';

/**
 * How subscribers reach Open5GS: live sync into its MongoDB (with the last report, drift and a "Sync now"),
 * or export-only, where the export is a CLI job because it carries K/OPc in clear.
 */
export function SyncSection() {
  const client = useQueryClient();
  const { data: status, error, refresh } = useApiQuery(subscriberQueries.sync());
  const { can, why } = usePermissions();
  const sync = useApiMutation({
    run: () => unwrap(api.POST('/api/v1/open5gs/sync')),
    // The subscribers' sync states changed too.
    invalidates: [subscriberKeys.all],
    onSuccess: (report) =>
      client.setQueryData<SyncStatus>(subscriberKeys.sync, (s) =>
        s ? { ...s, last: report } : { mode: 'mongodb', last: report },
      ),
  });

  return (
    <section className="card sync-card" aria-labelledby="sync-heading">
      <h2 id="sync-heading">Open5GS sync</h2>
      {error ? (
        <ErrorNotice error={error} title="Could not load the Open5GS sync status" onRetry={refresh} />
      ) : null}
      {status === undefined && !error ? <p className="muted">Loading…</p> : null}
      {status ? (
        <>
          <dl className="facts">
            <dt>Mode</dt>
            <dd>
              <StatusPill value={status.mode} tone={status.mode === 'mongodb' ? 'good' : 'neutral'} />{' '}
              <span className="muted">
                {status.mode === 'mongodb' ? 'live sync into the Open5GS MongoDB' : 'no live sync'}
              </span>
            </dd>
            {status.mode === 'mongodb' ? <LastSync report={status.last} /> : null}
          </dl>
          {status.mode === 'export-only' ? (
            <>
              <p className="card-lead">
                <code>OPEN5GS_MONGODB_URL</code> is not set, so Open5GS gets its subscribers from an export: a
                security-officer runs <code className="command">pakawaaz subscribers export --out DIR</code>{' '}
                and loads it with <code>DIR/apply.sh</code>, which upserts the current subscribers and deletes
                the barred and unassigned ones. Until then a barred SIM can still attach. The export contains
                every SIM&rsquo;s K and OPc in clear and must be written to files only its owner can read
                (mode 0600), so the NOC does not offer it in the browser.
              </p>
              <ExportStatus />
            </>
          ) : can(SYNC) ? (
            <div className="card-actions">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => sync.start(undefined)}
                disabled={sync.pending}
                aria-busy={sync.pending}
              >
                {sync.pending ? 'Syncing…' : 'Sync now'}
              </button>
            </div>
          ) : (
            <p className="muted permission-note">Running a sync: {why(SYNC)?.toLowerCase()}</p>
          )}
          {sync.error ? <ErrorNotice error={sync.error} title="The sync did not run" /> : null}
          {status.last && status.last.drift.length > 0 ? <DriftTable drift={status.last.drift} /> : null}
        </>
      ) : null}
    </section>
  );
}
