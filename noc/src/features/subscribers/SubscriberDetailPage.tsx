import { PageHeader } from '../../components/PageHeader';
import { StatusPill } from '../../components/StatusPill';
import { ErrorNotice } from '../../components/ErrorNotice';
import { syncState } from '../../components/SyncStatePill';
import { useApiQuery } from '../../data/hooks';
import { Link } from '../../router';
import { subscriberQueries } from './queries';
import { ExportPendingNotice } from './ExportState';
import { SubscriberCards } from './SubscriberCards';

/** While Open5GS has not caught up, re-read the subscriber this often. */
const PENDING_POLL_MS = 5_000;

export function SubscriberDetailPage({ imsi }: { imsi: string }) {
  const query = useApiQuery({
    ...subscriberQueries.one(imsi),
    // Follow a pending Open5GS push until it lands or fails.
    refetchInterval: (q) =>
      q.state.data && syncState(q.state.data.open5gs) === 'pending' ? PENDING_POLL_MS : false,
  });
  const { data: subscriber, error, loading, fetching, refresh } = query;
  const pending = subscriber !== undefined && syncState(subscriber.open5gs) === 'pending';
  const notFound = error?.status === 404;

  return (
    <>
      <p className="breadcrumb">
        <Link to="/subscribers">← Subscribers</Link>
      </p>
      <PageHeader
        title={subscriber ? subscriber.displayName : notFound ? 'Subscriber not found' : 'Subscriber'}
        subtitle={
          <>
            IMSI <code>{imsi}</code>
            {subscriber ? (
              <>
                {' '}
                <StatusPill value={subscriber.status} />
              </>
            ) : null}
          </>
        }
        plainSubtitle
        onRefresh={refresh}
        refreshing={fetching}
      />

      {error ? (
        <ErrorNotice
          error={error}
          title={notFound ? 'No subscriber with this IMSI' : 'Could not load the subscriber'}
        />
      ) : null}
      {subscriber === undefined && loading ? <p className="muted">Loading…</p> : null}
      {subscriber ? <ExportPendingNotice subscriber={subscriber} /> : null}
      {subscriber ? (
        <SubscriberCards subscriber={subscriber} pending={pending} pendingPollMs={PENDING_POLL_MS} />
      ) : null}
    </>
  );
}
