import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { api, asApiError, isAbort, unwrap, type ApiError, type Schemas } from '../api/client';
import { ErrorNotice } from '../components/ErrorNotice';
import { StatusPill } from '../components/StatusPill';
import { SyncStatePill, syncState } from '../components/SyncStatePill';
import { formatDateTime } from '../format';
import { Link } from '../router';

/** While Open5GS has not caught up, re-read the subscriber this often. */
const PENDING_POLL_MS = 5_000;
const MIN_REASON = 3;
const MAX_REASON = 500;

type Subscriber = Schemas['Subscriber'];
type BarAction = 'bar' | 'unbar';

export function SubscriberDetailPage({ imsi }: { imsi: string }) {
  const [subscriber, setSubscriber] = useState<Subscriber | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const controllerRef = useRef<AbortController | null>(null);

  const load = useCallback(async (): Promise<void> => {
    controllerRef.current?.abort();
    const controller = new AbortController();
    controllerRef.current = controller;
    setLoading(true);
    try {
      setSubscriber(
        await unwrap(
          api.GET('/api/v1/subscribers/{imsi}', { params: { path: { imsi } }, signal: controller.signal }),
        ),
      );
      setError(null);
    } catch (caught) {
      if (isAbort(caught)) return;
      setError(asApiError(caught));
    } finally {
      if (controllerRef.current === controller) {
        controllerRef.current = null;
        setLoading(false);
      }
    }
  }, [imsi]);

  useEffect(() => {
    void load();
    return () => controllerRef.current?.abort();
  }, [load]);

  // Follow a pending Open5GS push until it lands or fails.
  const pending = subscriber !== null && syncState(subscriber.open5gs) === 'pending';
  useEffect(() => {
    if (!pending || loading) return;
    const timer = setTimeout(() => void load(), PENDING_POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, loading, load]);

  const notFound = error?.status === 404;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/subscribers">← Subscribers</Link>
      </p>
      <div className="page-header">
        <div>
          <h1>{subscriber ? subscriber.displayName : notFound ? 'Subscriber not found' : 'Subscriber'}</h1>
          <p className="page-subtitle">
            IMSI <code>{imsi}</code>
            {subscriber ? (
              <>
                {' '}
                <StatusPill value={subscriber.status} />
              </>
            ) : null}
          </p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="button button-secondary"
            onClick={() => void load()}
            disabled={loading}
          >
            Refresh
          </button>
        </div>
      </div>

      {error ? (
        <ErrorNotice
          error={error}
          title={notFound ? 'No subscriber with this IMSI' : 'Could not load the subscriber'}
        />
      ) : null}
      {subscriber === null && loading ? <p className="muted">Loading…</p> : null}

      {subscriber ? (
        <>
          <div className="cards">
            <section className="card" aria-labelledby="card-subscriber">
              <h2 id="card-subscriber">Subscriber</h2>
              <dl className="facts">
                <dt>IMSI</dt>
                <dd>
                  <code>{subscriber.imsi}</code>
                </dd>
                <dt>MSISDN</dt>
                <dd>{subscriber.msisdn ?? <span className="muted">—</span>}</dd>
                <dt>Display name</dt>
                <dd>{subscriber.displayName}</dd>
                <dt>User ID</dt>
                <dd className="break">
                  <code>{subscriber.userId}</code>
                </dd>
                <dt>Institution</dt>
                <dd>{subscriber.institutionId ?? <span className="muted">—</span>}</dd>
                <dt>Profile</dt>
                <dd>
                  <Link to="/subscriber-profiles">{subscriber.profile}</Link>
                </dd>
                <dt>Static IPv4</dt>
                <dd>
                  {subscriber.staticIpv4 ? (
                    <code>{subscriber.staticIpv4}</code>
                  ) : (
                    <span className="muted">dynamic</span>
                  )}
                </dd>
                <dt>Assigned</dt>
                <dd>
                  <time dateTime={subscriber.createdAt}>{formatDateTime(subscriber.createdAt)}</time>
                </dd>
                <dt>Updated</dt>
                <dd>
                  <time dateTime={subscriber.updatedAt}>{formatDateTime(subscriber.updatedAt)}</time>
                </dd>
              </dl>
            </section>

            <section className="card" aria-labelledby="card-access">
              <h2 id="card-access">Network access</h2>
              <dl className="facts">
                <dt>Status</dt>
                <dd>
                  <StatusPill value={subscriber.status} />
                </dd>
                {subscriber.barringReason ? (
                  <>
                    <dt>{subscriber.status === 'barred' ? 'Barred because' : 'Last reason'}</dt>
                    <dd className="break">{subscriber.barringReason}</dd>
                  </>
                ) : null}
              </dl>
              <BarringControl
                key={`${subscriber.imsi}-${subscriber.status}`}
                subscriber={subscriber}
                onChanged={setSubscriber}
              />
            </section>

            <section className="card" aria-labelledby="card-open5gs">
              <h2 id="card-open5gs">Open5GS</h2>
              <dl className="facts">
                <dt>Sync</dt>
                <dd>
                  <SyncStatePill sync={subscriber.open5gs} />
                </dd>
                <dt>Last synced</dt>
                <dd>
                  {subscriber.open5gs.syncedAt ? (
                    <time dateTime={subscriber.open5gs.syncedAt}>
                      {formatDateTime(subscriber.open5gs.syncedAt)}
                    </time>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </dd>
                {subscriber.open5gs.error ? (
                  <>
                    <dt>Error</dt>
                    <dd className="break sync-error">{subscriber.open5gs.error}</dd>
                  </>
                ) : null}
              </dl>
              {pending ? (
                <p className="muted card-note">
                  The change has not reached Open5GS yet; this page checks again every{' '}
                  {PENDING_POLL_MS / 1000} s.
                </p>
              ) : null}
            </section>
          </div>
        </>
      ) : null}
    </>
  );
}

/** Bar or unbar: a button that opens an inline form asking for the reason, which the audit log keeps. */
function BarringControl({
  subscriber,
  onChanged,
}: {
  subscriber: Subscriber;
  onChanged: (s: Subscriber) => void;
}) {
  const action: BarAction = subscriber.status === 'barred' ? 'unbar' : 'bar';
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const verb = action === 'bar' ? 'Bar' : 'Unbar';

  useEffect(() => {
    if (open) reasonRef.current?.focus();
  }, [open]);

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (submitting || trimmed.length < MIN_REASON) return;
    setSubmitting(true);
    setError(null);
    try {
      const options = { params: { path: { imsi: subscriber.imsi } }, body: { reason: trimmed } };
      const updated = await unwrap(
        action === 'bar'
          ? api.POST('/api/v1/subscribers/{imsi}/bar', options)
          : api.POST('/api/v1/subscribers/{imsi}/unbar', options),
      );
      onChanged(updated); // re-keys this control: the form closes and the other action appears
    } catch (caught) {
      setError(asApiError(caught));
      setSubmitting(false);
    }
  };

  if (!open)
    return (
      <div className="card-actions">
        <button
          type="button"
          className={action === 'bar' ? 'button button-danger' : 'button button-primary'}
          onClick={() => setOpen(true)}
          aria-expanded={false}
        >
          {verb}
        </button>
      </div>
    );

  const tooShort = reason.trim().length < MIN_REASON;
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label={`${verb} subscriber`}>
      <div className="field">
        <label htmlFor="barring-reason">
          Reason for {action === 'bar' ? 'barring' : 'unbarring'}{' '}
          <span className="optional">(kept in the audit log)</span>
        </label>
        <textarea
          ref={reasonRef}
          id="barring-reason"
          rows={2}
          required
          minLength={MIN_REASON}
          maxLength={MAX_REASON}
          aria-describedby="barring-reason-hint"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <span id="barring-reason-hint" className="hint">
          At least {MIN_REASON} characters.
          {action === 'bar' ? ' The SIM loses network access as soon as Open5GS is updated.' : ''}
        </span>
      </div>
      <div className="form-actions">
        <button
          type="submit"
          className={action === 'bar' ? 'button button-danger' : 'button button-primary'}
          disabled={submitting || tooShort}
          aria-busy={submitting}
        >
          {submitting ? `${verb === 'Bar' ? 'Barring' : 'Unbarring'}…` : `Confirm ${verb.toLowerCase()}`}
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => {
            setOpen(false);
            setReason('');
            setError(null);
          }}
          disabled={submitting}
        >
          Cancel
        </button>
      </div>
      {error ? <ErrorNotice error={error} title={`Could not ${action} the subscriber`} /> : null}
    </form>
  );
}
