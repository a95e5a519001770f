import { useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation } from '../../data/hooks';
import { formatDateTime } from '../../format';

type AuditVerification = Schemas['AuditVerification'];

export function ChainVerification() {
  const [checkedAt, setCheckedAt] = useState<Date | null>(null);
  // A read, but run on demand (it walks the whole chain): a mutation-shaped call, never cached or retried.
  const verification = useApiMutation({
    run: () => unwrap(api.GET('/api/v1/audit/verify')),
    onSuccess: () => setCheckedAt(new Date()),
  });
  const { pending: verifying, error } = verification;
  const result = error ? undefined : verification.result;

  return (
    <section className="verify" aria-labelledby="verify-heading">
      <h2 id="verify-heading" className="visually-hidden">
        Hash chain verification
      </h2>
      <button
        type="button"
        className="button button-primary"
        onClick={() => verification.start(undefined)}
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
