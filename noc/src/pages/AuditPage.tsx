import { useCallback, useEffect, useRef, useState } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusPill } from '../components/StatusPill';
import { formatDateTime } from '../format';

const PAGE_SIZE = 50;

type AuditEntry = Schemas['AuditEntry'];
type AuditVerification = Schemas['AuditVerification'];

export function AuditPage() {
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [nextBeforeSeq, setNextBeforeSeq] = useState<number | null>(null);
  const [loading, setLoading] = useState<'newest' | 'older' | null>('newest');
  const [error, setError] = useState<ApiError | null>(null);
  const controllerRef = useRef<AbortController | null>(null);

  const load = useCallback(async (beforeSeq: number | null): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(beforeSeq === null ? 'newest' : 'older');
    setError(null);
    try {
      const page = await unwrap(
        api.GET('/api/v1/audit', {
          params: { query: beforeSeq === null ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, beforeSeq } },
          signal: controller.signal,
        }),
      );
      setEntries((previous) => (beforeSeq === null ? page.entries : [...previous, ...page.entries]));
      setNextBeforeSeq(page.nextBeforeSeq);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(null);
      }
    }
  }, []);

  useEffect(() => {
    void load(null);
    return () => controllerRef.current?.abort();
  }, [load]);

  return (
    <>
      <div className="page-header">
        <h1>Audit log</h1>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void load(null)}
            disabled={loading !== null}
          >
            Refresh
          </button>
        </div>
      </div>

      <ChainVerification />

      {error ? <ErrorNotice error={error} title="Could not load the audit log" /> : null}

      <section aria-labelledby="entries-heading">
        <h2 id="entries-heading">Entries, newest first</h2>
        <div className="table-wrap">
          <table className="table" aria-busy={loading !== null}>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Seq
                </th>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.seq}>
                  <td className="num">{entry.seq}</td>
                  <td className="nowrap">
                    <time dateTime={entry.at} title={entry.at}>
                      {formatDateTime(entry.at)}
                    </time>
                  </td>
                  <td>
                    <span className="muted">{entry.actorType}</span> <code>{entry.actorId}</code>
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td className="break">{entry.target ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
              {entries.length === 0 && loading === null && !error ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No audit entries yet.
                  </td>
                </tr>
              ) : null}
              {loading === 'newest' && entries.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    Loading…
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        <div className="table-footer">
          <span className="muted">
            {entries.length} {entries.length === 1 ? 'entry' : 'entries'} shown
          </span>
          {nextBeforeSeq !== null ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void load(nextBeforeSeq)}
              disabled={loading !== null}
            >
              {loading === 'older' ? 'Loading…' : 'Load older'}
            </button>
          ) : entries.length > 0 ? (
            <span className="muted">Beginning of the log.</span>
          ) : null}
        </div>
      </section>
    </>
  );
}

function ChainVerification() {
  const [result, setResult] = useState<AuditVerification | null>(null);
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const verify = async (): Promise<void> => {
    setVerifying(true);
    setError(null);
    try {
      setResult(await unwrap(api.GET('/api/v1/audit/verify')));
      setCheckedAt(new Date());
    } catch (caught) {
      setResult(null);
      setError(asApiError(caught));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <section className="verify" aria-labelledby="verify-heading">
      <h2 id="verify-heading" className="visually-hidden">
        Hash chain verification
      </h2>
      <button
        type="button"
        className="button button-primary"
        onClick={() => void verify()}
        disabled={verifying}
        aria-busy={verifying}
      >
        {verifying ? 'Verifying…' : 'Verify chain'}
      </button>
      <div className="verify-result" role="status" aria-live="polite">
        {result ? <VerificationResult result={result} checkedAt={checkedAt} /> : null}
      </div>
      {error ? <ErrorNotice error={error} title="Verification failed to run" /> : null}
    </section>
  );
}

function VerificationResult({ result, checkedAt }: { result: AuditVerification; checkedAt: Date | null }) {
  const when = checkedAt ? <span className="muted"> · checked {formatDateTime(checkedAt)}</span> : null;
  if (result.ok) {
    return (
      <p className="verify-ok">
        <StatusPill value="intact" /> Chain intact — {result.entries}{' '}
        {result.entries === 1 ? 'entry' : 'entries'}
        {when}
        {result.head ? (
          <span className="request-id">
            {' '}
            Head: <code>{result.head}</code>
          </span>
        ) : null}
      </p>
    );
  }
  if (!result.brokenAt) {
    return (
      <p className="verify-broken">
        <StatusPill value="broken" /> Chain broken — {result.entries}{' '}
        {result.entries === 1 ? 'entry' : 'entries'} checked
        {result.checkpointProblem ? `: ${result.checkpointProblem.message}` : ''}
        {when}
      </p>
    );
  }
  return (
    <p className="verify-broken">
      <StatusPill value="broken" /> Chain broken at entry #{result.brokenAt.seq} ({result.brokenAt.reason})
      {when}
      <span className="request-id">
        {' '}
        Entry ID: <code>{result.brokenAt.id}</code>
      </span>
    </p>
  );
}
