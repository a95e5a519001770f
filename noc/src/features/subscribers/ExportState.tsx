import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { apiQuery, useApiQuery } from '../../data/hooks';
import { formatCount, formatDateTime } from '../../format';

type Subscriber = Schemas['Subscriber'];
type Open5gs = Subscriber['open5gs'];

/** Under `subscribers`, so barring, unbarring and assigning (which invalidate every subscriber query) refresh it. */
const exportStatusKey = ['subscribers', 'open5gs-export'] as const;
const exportStatusQuery = () =>
  apiQuery(exportStatusKey, (signal) => unwrap(api.GET('/api/v1/open5gs/export', { signal })));

const EXPORT_COMMAND = 'pakawaaz subscribers export --out DIR';

/**
 * Export-only mode: a pill on a subscriber whose change is not in Open5GS yet. A barred one is the urgent
 * case: it can still attach until the export is loaded.
 */
export function ExportPendingPill({ status, open5gs }: { status: Subscriber['status']; open5gs: Open5gs }) {
  if (!open5gs.exportPending) return null;
  return status === 'barred' ? (
    <StatusPill
      value="still in Open5GS"
      tone="bad"
      label="Barred here, still active in Open5GS until you run the export"
    />
  ) : (
    <StatusPill value="export pending" tone="warn" label="This change reaches Open5GS with the next export" />
  );
}

/** The subscriber page's warning while its change waits for the export. */
export function ExportPendingNotice({ subscriber }: { subscriber: Subscriber }) {
  if (!subscriber.open5gs.exportPending) return null;
  if (subscriber.status === 'active')
    return (
      <div className="notice notice-info" role="status">
        <p className="notice-message">
          This subscriber&rsquo;s current settings reach Open5GS with the next export (
          <code>{EXPORT_COMMAND}</code>, then <code>DIR/apply.sh</code>).
        </p>
      </div>
    );
  return (
    <div className="notice notice-warn" role="alert">
      <strong className="notice-title">Barred here, still active in Open5GS until you run the export</strong>
      <p className="notice-message">
        Without live sync, Open5GS only forgets this SIM when a security officer runs{' '}
        <code>{EXPORT_COMMAND}</code> and loads it with <code>DIR/apply.sh</code> (it deletes the SIM&rsquo;s
        document). Until then the handset can still attach.
      </p>
    </div>
  );
}

/** Export-only mode: when the last export ran, by whom, and how many changes wait for the next one. */
export function ExportStatus() {
  const { data: status, error, refresh } = useApiQuery(exportStatusQuery());
  if (error) return <ErrorNotice error={error} title="Could not load the export status" onRetry={refresh} />;
  if (!status) return <p className="muted">Loading…</p>;
  const { last, pending } = status;
  const waiting = pending.updates + pending.removals;
  return (
    <dl className="facts" aria-label="Open5GS export">
      <dt>Last export</dt>
      <dd>
        {last ? (
          <>
            <time dateTime={last.exportedAt}>{formatDateTime(last.exportedAt)}</time> by {last.by.name}:{' '}
            {formatCount(last.documents)} subscribers, {formatCount(last.deletions)} deletions
          </>
        ) : (
          <span className="muted">never</span>
        )}
      </dd>
      <dt>Waiting</dt>
      <dd>
        {waiting === 0 ? (
          'nothing: Open5GS has every change once the last export is loaded'
        ) : (
          <>
            <StatusPill
              value={`${formatCount(waiting)} ${waiting === 1 ? 'change' : 'changes'}`}
              tone={pending.removals > 0 ? 'bad' : 'warn'}
            />{' '}
            {formatCount(pending.removals)} to remove from Open5GS (barred or unassigned),{' '}
            {formatCount(pending.updates)} new or changed
          </>
        )}
      </dd>
    </dl>
  );
}
