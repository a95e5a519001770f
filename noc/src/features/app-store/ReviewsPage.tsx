import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field, Form } from '../../components/Form';
import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatBytes, formatDateTime } from '../../format';
import { Link } from '../../router';
import { storeKeys, storeQueries, storeWrites, type ReviewQueueItem } from './queries';
import { approvalProgress, permissionView, shortDigest } from './review-rules';
import { UserName } from './UserName';

function PermissionDiffView({ item }: { item: ReviewQueueItem }) {
  const view = permissionView(item.version.manifest.permissions, item.permissionDiff);
  return (
    <div className="diff" aria-label={`Permissions of ${item.app.packageName}`}>
      {view.changed.length === 0 ? (
        <p className="muted">No permission added or removed since the previous version.</p>
      ) : (
        <ul className="permission-diff">
          {view.changed.map((l) => (
            <li key={`${l.kind}:${l.permission}`} className={l.kind === 'added' ? 'diff-add' : 'diff-del'}>
              <span aria-hidden="true">{l.mark} </span>
              <span className="visually-hidden">{l.kind}: </span>
              <code className="mono">{l.permission}</code>
            </li>
          ))}
        </ul>
      )}
      {view.unchanged.length > 0 ? (
        <details>
          <summary>{view.unchanged.length} unchanged permission(s)</summary>
          <ul className="permission-diff">
            {view.unchanged.map((p) => (
              <li key={p}>
                <code className="mono">{p}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

type Decision = 'approve' | 'reject';

/** Approve or reject, with the reason the server records and audits (required). */
function DecisionForm({ item }: { item: ReviewQueueItem }) {
  const [decision, setDecision] = useState<Decision | null>(null);
  const [reason, setReason] = useState('');
  const write = useApiMutation({
    run: (v: { decision: Decision; reason: string }) =>
      storeWrites.review(item.version.id, v.decision, v.reason),
    invalidates: [storeKeys.all],
    onSuccess: () => {
      setDecision(null);
      setReason('');
    },
  });
  const blocked = item.version.findings.length > 0;
  const id = `review-reason-${item.version.id}`;
  const name = `${item.app.packageName} ${item.version.versionName ?? item.version.versionCode}`;
  if (!decision)
    return (
      <div className="row-actions">
        <button
          type="button"
          className="button button-primary button-small"
          disabled={blocked}
          title={blocked ? 'A version with policy findings cannot be approved' : undefined}
          aria-label={`Approve ${name}`}
          onClick={() => {
            write.reset();
            setDecision('approve');
          }}
        >
          Approve…
        </button>{' '}
        <button
          type="button"
          className="button button-danger button-small"
          aria-label={`Reject ${name}`}
          onClick={() => {
            write.reset();
            setDecision('reject');
          }}
        >
          Reject…
        </button>
      </div>
    );
  return (
    <Form
      ariaLabel={`${decision === 'approve' ? 'Approve' : 'Reject'} ${name}`}
      onSubmit={() => write.start({ decision, reason: reason.trim() })}
      pending={write.pending}
      error={write.error}
      errorTitle={`Could not ${decision} this version`}
      submitLabel={decision === 'approve' ? 'Approve version' : 'Reject version'}
      busyLabel="Recording…"
      disabled={reason.trim().length === 0}
      extraActions={
        <button type="button" className="button button-secondary" onClick={() => setDecision(null)}>
          Cancel
        </button>
      }
    >
      <Field id={id} label="Reason (recorded and audited)">
        <textarea
          id={id}
          required
          maxLength={2000}
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Field>
    </Form>
  );
}

function QueueItem({ item }: { item: ReviewQueueItem }) {
  const v = item.version;
  const progress = approvalProgress(v.reviews, item.approvalsNeeded);
  const signer = v.signers[0] ?? item.app.pinnedSigner;
  return (
    <article
      className="card card-stacked review-card"
      aria-label={`${item.app.packageName} ${v.versionName ?? ''} (${v.versionCode})`}
    >
      <h2>
        <code className="mono">{item.app.packageName}</code> {v.versionName ?? '(no versionName)'}{' '}
        <span className="muted">· code {v.versionCode}</span> <StatusPill value={v.track} tone="neutral" />
        {item.app.mandatory ? <StatusPill value="mandatory" tone="warn" /> : null}
      </h2>
      <dl className="facts">
        <dt>Developer organisation</dt>
        <dd>{item.org.name}</dd>
        <dt>Uploaded</dt>
        <dd>
          <UserName actor={v.createdBy} /> · {formatDateTime(v.createdAt)} · {formatBytes(v.sizeBytes)}
        </dd>
        <dt>Signer SHA-256</dt>
        <dd>
          <code className="mono" title={v.signers.join('\n') || signer}>
            {shortDigest(signer)}
          </code>
          {v.signers.length > 1 ? <span className="muted"> (+{v.signers.length - 1} more)</span> : null}
        </dd>
        <dt>SDK</dt>
        <dd>
          min {v.manifest.minSdk ?? '?'} · target {v.manifest.targetSdk ?? '?'}
        </dd>
        <dt>Approvals</dt>
        <dd>{progress.text}</dd>
        {v.notes ? (
          <>
            <dt>Release notes</dt>
            <dd>{v.notes}</dd>
          </>
        ) : null}
      </dl>
      <h3>Policy findings</h3>
      {v.findings.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul aria-label="Policy findings">
          {v.findings.map((f, i) => (
            <li key={i}>
              <StatusPill value={f.code} tone="bad" /> {f.detail}
            </li>
          ))}
        </ul>
      )}
      <h3>Permissions against the previous version</h3>
      <PermissionDiffView item={item} />
      {v.reviews.length > 0 ? (
        <>
          <h3>Decisions so far</h3>
          <ul>
            {v.reviews.map((r, i) => (
              <li key={i}>
                <StatusPill value={r.decision} tone={r.decision === 'approve' ? 'good' : 'bad'} />{' '}
                <UserName actor={r.reviewer} /> · {formatDateTime(r.at)} · {r.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <DecisionForm item={item} />
    </article>
  );
}

/** The review queue: versions in review, oldest first, each with what changed and a decision form. */
export function ReviewsPage() {
  const queue = useApiQuery(storeQueries.reviews());
  const items = queue.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="App reviews"
        subtitle={
          <>
            Versions waiting for a decision, oldest first. Read the permissions each one adds or drops since
            the previous version; a version with policy findings cannot be approved, and a mandatory
            app&apos;s version needs two distinct approvers. Catalogue: <Link to="/store/apps">Apps</Link>.
          </>
        }
        onRefresh={queue.refresh}
        refreshing={queue.fetching}
      />
      {queue.error ? (
        <ErrorNotice error={queue.error} title="Could not load the review queue" onRetry={queue.refresh} />
      ) : null}
      {queue.loading ? <p className="muted">Loading…</p> : null}
      {queue.data && items.length === 0 ? <p className="muted">No version is waiting for review.</p> : null}
      {items.map((item) => (
        <QueueItem key={item.version.id} item={item} />
      ))}
    </>
  );
}
