import { StatusPill } from '../../components/StatusPill';
import { SyncStatePill } from '../../components/SyncStatePill';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import { BarringControl } from './BarringControl';
import type { Subscriber } from './queries';
import { UnassignControl } from './UnassignControl';

/** The official by name and username (a raw id only when identity no longer knows the account). */
export function OfficialName({ subscriber: s }: { subscriber: Subscriber }) {
  return (
    <>
      {s.displayName}{' '}
      {s.username ? (
        <span className="muted">{s.username}</span>
      ) : (
        <span className="muted">unknown account {s.userId}</span>
      )}
      {s.officialStatus === 'disabled' ? (
        <>
          {' '}
          <StatusPill value="account disabled" tone="warn" />
        </>
      ) : null}
    </>
  );
}

export function InstitutionName({ subscriber: s }: { subscriber: Subscriber }) {
  if (s.institutionName) return <>{s.institutionName}</>;
  return <span className="muted">{s.institutionId ? 'unknown institution' : 'national'}</span>;
}

export function SubscriberCards({
  subscriber,
  pending,
  pendingPollMs,
}: {
  subscriber: Subscriber;
  pending: boolean;
  pendingPollMs: number;
}) {
  return (
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
          <dt>Official</dt>
          <dd>
            <OfficialName subscriber={subscriber} />
          </dd>
          <dt>Institution</dt>
          <dd>
            <InstitutionName subscriber={subscriber} />
          </dd>
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
          <dt>Static IPv6</dt>
          <dd>
            {subscriber.staticIpv6 ? (
              <>
                <code>{subscriber.staticIpv6}</code> <span className="muted">(its /64)</span>
              </>
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
        <UnassignControl subscriber={subscriber} />
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
        <BarringControl key={`${subscriber.imsi}-${subscriber.status}`} subscriber={subscriber} />
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
            The change has not reached Open5GS yet; this page checks again every {pendingPollMs / 1000} s.
          </p>
        ) : null}
      </section>
    </div>
  );
}
