import type { AuditService, EventBus, Logger } from '@pakawaaz/platform';
import { OsUpdateMetadataStale } from '../hardened-os.events.js';

type AlarmDeps = { audit: AuditService; bus?: EventBus | undefined; logger?: Logger | undefined };

/**
 * The alarm when metadata the handsets need is about to go stale: an error in the log, an audit entry and
 * the event (the NOC and alerting consume it). `role` is the metadata concerned: timestamp/snapshot when
 * the server could not re-sign them, targets/root when they expire soon and only the offline keys can
 * re-sign them. Best effort each: the alarm itself must not throw from the timer.
 */
export async function raiseStaleAlarm(
  deps: AlarmDeps,
  expires: string,
  reason: string,
  role: 'timestamp' | 'snapshot' | 'targets' | 'root' = 'timestamp',
): Promise<void> {
  deps.logger?.error(
    { role, expires, reason },
    role === 'timestamp' || role === 'snapshot'
      ? `could not re-sign TUF ${role} metadata: handsets stop updating when it expires`
      : `TUF ${role} metadata expires soon: handsets stop updating when it expires`,
  );
  await deps.audit
    .record({
      actor: { type: 'system', id: 'hardened-os' },
      action: OsUpdateMetadataStale.type,
      target: `tuf:${role}`,
      details: { role, expires, reason },
    })
    .catch(() => undefined);
  await deps.bus
    ?.publish(OsUpdateMetadataStale.create({ expires, reason: reason.slice(0, 500) }))
    .catch(() => undefined);
}

/** Offline-signed roles expiring within this window raise the alarm (time to gather the key holders). */
export const OFFLINE_EXPIRY_WARNING_MS = 14 * 86_400_000;

/**
 * The targets/root metadata expiring within the warning window, each with the reason the alarm carries.
 * Both need the offline keys, so the server can only warn: it says so in the message.
 */
export function offlineExpiring(
  state: { root?: { signed: { expires: string } }; targets?: { signed: { expires: string } } },
  now: Date,
): { role: 'root' | 'targets'; expires: string; reason: string }[] {
  const out: { role: 'root' | 'targets'; expires: string; reason: string }[] = [];
  for (const role of ['targets', 'root'] as const) {
    const expires = state[role]?.signed.expires;
    if (!expires || Date.parse(expires) - now.getTime() > OFFLINE_EXPIRY_WARNING_MS) continue;
    const past = Date.parse(expires) <= now.getTime();
    out.push({
      role,
      expires,
      reason:
        `${role} metadata ${past ? 'expired' : 'expires'} at ${expires}: the server cannot re-sign it, ` +
        `sign a new ${role} with the offline ${role} key(s) and import it (pakawaaz os tuf)`,
    });
  }
  return out;
}
