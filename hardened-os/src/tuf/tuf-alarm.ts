import type { AuditService, EventBus, Logger } from '@pakawaaz/platform';
import { OsUpdateMetadataStale } from '../hardened-os.events.js';

/**
 * The alarm when timestamp metadata cannot be re-signed: an error in the log, an audit entry and the event
 * (the NOC and alerting consume it). Best effort each: the alarm itself must not throw from the timer.
 */
export async function raiseStaleAlarm(
  deps: { audit: AuditService; bus?: EventBus | undefined; logger?: Logger | undefined },
  expires: string,
  reason: string,
): Promise<void> {
  deps.logger?.error(
    { expires, reason },
    'could not re-sign TUF timestamp metadata: handsets stop updating when it expires',
  );
  await deps.audit
    .record({
      actor: { type: 'system', id: 'hardened-os' },
      action: OsUpdateMetadataStale.type,
      target: 'tuf:timestamp',
      details: { expires, reason },
    })
    .catch(() => undefined);
  await deps.bus
    ?.publish(OsUpdateMetadataStale.create({ expires, reason: reason.slice(0, 500) }))
    .catch(() => undefined);
}
