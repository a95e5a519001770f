import { StatusPill } from '../../components/StatusPill';
import { formatCount, formatDateTime } from '../../format';
import { Link } from '../../router';
import type { SyncReport } from './queries';

/** Unmanaged IMSIs listed by name before the rest are only counted. */
const SHOWN_UNMANAGED = 10;

export function LastSync({ report }: { report: SyncReport | null }) {
  if (!report)
    return (
      <>
        <dt>Last sync</dt>
        <dd className="muted">none since the server started</dd>
      </>
    );
  const unmanaged = report.unmanaged;
  return (
    <>
      <dt>Last sync</dt>
      <dd>
        <StatusPill value={report.ok ? 'ok' : 'failed'} tone={report.ok ? 'good' : 'bad'} />{' '}
        <time dateTime={report.at}>{formatDateTime(report.at)}</time>
      </dd>
      {report.error ? (
        <>
          <dt>Error</dt>
          <dd className="break sync-error">{report.error}</dd>
        </>
      ) : null}
      <dt>Documents</dt>
      <dd>
        {formatCount(report.upserted)} upserted · {formatCount(report.deleted)} deleted ·{' '}
        {formatCount(report.unchanged)} unchanged
      </dd>
      <dt>Drift</dt>
      <dd>
        {report.drift.length === 0
          ? 'none'
          : `${formatCount(report.drift.length)} ${report.drift.length === 1 ? 'document' : 'documents'} changed or removed in Open5GS outside Pakawaaz (listed below)`}
      </dd>
      <dt>Unmanaged</dt>
      <dd className="break">
        {unmanaged.length === 0 ? (
          'none'
        ) : (
          <>
            {formatCount(unmanaged.length)} not created by Pakawaaz (left alone):{' '}
            {unmanaged.slice(0, SHOWN_UNMANAGED).map((imsi, i) => (
              <span key={imsi}>
                {i > 0 ? ', ' : ''}
                <code>{imsi}</code>
              </span>
            ))}
            {unmanaged.length > SHOWN_UNMANAGED
              ? ` and ${formatCount(unmanaged.length - SHOWN_UNMANAGED)} more`
              : ''}
          </>
        )}
      </dd>
    </>
  );
}

export function DriftTable({ drift }: { drift: SyncReport['drift'] }) {
  return (
    <div className="table-wrap">
      <table className="table table-compact">
        <caption className="table-caption">
          Drift: changed or removed in Open5GS outside Pakawaaz; the sync restores the fields Pakawaaz manages
        </caption>
        <thead>
          <tr>
            <th scope="col">IMSI</th>
            <th scope="col">Kind</th>
            <th scope="col">Fields</th>
          </tr>
        </thead>
        <tbody>
          {drift.map((d) => (
            <tr key={`${d.imsi}-${d.kind}`}>
              <td>
                <Link to={`/subscribers/${d.imsi}`}>
                  <code>{d.imsi}</code>
                </Link>
              </td>
              <td>
                <StatusPill value={d.kind} tone="warn" />
              </td>
              <td>
                {d.fields.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  d.fields.map((f, i) => (
                    <span key={f}>
                      {i > 0 ? ', ' : ''}
                      <code>{f}</code>
                    </span>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
