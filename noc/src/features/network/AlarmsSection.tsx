import { api, unwrap } from '../../api/client';
import { usePermissions } from '../../auth/permissions';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusPill, type Tone } from '../../components/StatusPill';
import { useApiMutation, useApiQuery } from '../../data/hooks';
import { formatDateTime } from '../../format';
import { useSession } from '../../auth/session';
import { HEALTH_POLL_MS, is404, networkKeys, networkQueries, pollUnless404, type Alarm } from './queries';
import { Unavailable } from './Unavailable';

const SEVERITY_TONE: Record<Alarm['severity'], Tone> = {
  critical: 'bad',
  major: 'bad',
  minor: 'warn',
  warning: 'warn',
};

const ACKNOWLEDGE = 'POST /api/v1/network/alarms/{id}/acknowledge';

/** Refreshed with the health table; acknowledging shows at once (optimistically) and is undone if refused. */
export function AlarmsSection() {
  const { data, error, refresh } = useApiQuery({
    ...networkQueries.openAlarms(),
    refetchInterval: pollUnless404(HEALTH_POLL_MS),
  });
  const { operator } = useSession();
  const { can, why } = usePermissions();
  const acknowledge = useApiMutation({
    run: (alarm: Alarm) =>
      unwrap(api.POST('/api/v1/network/alarms/{id}/acknowledge', { params: { path: { id: alarm.id } } })),
    optimistic: {
      queryKey: networkKeys.alarms,
      update: (current, alarm: Alarm) => {
        const list = current as { alarms: Alarm[] } | undefined;
        if (!list) return current;
        const now = new Date().toISOString();
        const by = operator?.username ?? null;
        return {
          ...list,
          alarms: list.alarms.map((a) =>
            a.id === alarm.id ? { ...a, acknowledgedAt: now, acknowledgedBy: by } : a,
          ),
        };
      },
    },
  });
  const missing = is404(error);
  const alarms = data?.alarms;
  const mayAcknowledge = can(ACKNOWLEDGE);

  return (
    <section aria-labelledby="alarms-heading">
      <h2 id="alarms-heading">Open alarms</h2>
      {error ? (
        missing ? (
          <Unavailable title="Alarms" path="/api/v1/network/alarms" error={error} onRetry={refresh} />
        ) : (
          <ErrorNotice error={error} title="Could not load the alarms" onRetry={refresh} />
        )
      ) : null}
      {acknowledge.error ? (
        <ErrorNotice error={acknowledge.error} title="The alarm was not acknowledged" />
      ) : null}
      {alarms && !missing ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Raised</th>
                <th scope="col">Severity</th>
                <th scope="col">Function</th>
                <th scope="col">Alarm</th>
                <th scope="col">Acknowledged</th>
              </tr>
            </thead>
            <tbody>
              {alarms.map((alarm) => (
                <tr key={alarm.id}>
                  <td className="nowrap">
                    <time dateTime={alarm.raisedAt}>{formatDateTime(alarm.raisedAt)}</time>
                  </td>
                  <td>
                    <StatusPill value={alarm.severity} tone={SEVERITY_TONE[alarm.severity]} />
                  </td>
                  <td>{alarm.nf}</td>
                  <td>
                    {alarm.message} <span className="muted">({alarm.kind})</span>
                  </td>
                  <td>
                    {alarm.acknowledgedAt ? (
                      <span className="muted">
                        {alarm.acknowledgedBy ?? 'yes'} ·{' '}
                        <time dateTime={alarm.acknowledgedAt}>{formatDateTime(alarm.acknowledgedAt)}</time>
                      </span>
                    ) : mayAcknowledge ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        onClick={() => acknowledge.start(alarm)}
                        disabled={acknowledge.pending}
                        aria-label={`Acknowledge ${alarm.kind} on ${alarm.nf}`}
                      >
                        Acknowledge
                      </button>
                    ) : (
                      <span className="muted" title={why(ACKNOWLEDGE) ?? undefined}>
                        not yet
                      </span>
                    )}
                  </td>
                </tr>
              ))}
              {alarms.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty">
                    No open alarms.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
