import { Inject, Injectable } from '@nestjs/common';
import {
  AuditService,
  EVENT_BUS,
  LOGGER,
  type DomainEvent,
  requireNational,
  requireRole,
  type EventBus,
  type Logger,
  type Principal,
} from '@pakawaaz/platform';
import type { AlarmKind, AlarmSeverity, AlarmTransition } from './alarm-rules.js';
import { AlarmCleared, AlarmRaised, type AlarmClearedEvent, type AlarmRaisedEvent } from './alarms.events.js';
import { networkHealthError } from './network-health.errors.js';
import { NetworkHealthRepository, type AlarmRow } from './network-health.repository.js';
import type { NfType } from './open5gs-metrics.js';

export const ALARM_RAISED_EVENT = AlarmRaised.type;
export const ALARM_CLEARED_EVENT = AlarmCleared.type;
export type { AlarmClearedEvent, AlarmRaisedEvent } from './alarms.events.js';

export type AlarmView = {
  id: string;
  kind: string;
  nf: string;
  severity: AlarmSeverity;
  state: 'open' | 'cleared';
  message: string;
  details: Record<string, unknown>;
  raisedAt: string;
  clearedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
};

/** Alarms in the database and on the event bus: the side effects of the rules engine's transitions. */
@Injectable()
export class AlarmsService {
  constructor(
    private readonly repository: NetworkHealthRepository,
    private readonly audit: AuditService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Persists one transition and publishes its event. Idempotent: raising an alarm that is already open, or
   * clearing one that is not, changes nothing and publishes nothing (another node may have done it).
   */
  async apply(t: AlarmTransition, nf: { nfType: NfType; simulated: boolean }, at: Date): Promise<void> {
    if (t.action === 'raise') {
      const { kind, severity, message, details } = t;
      const row = await this.repository.openAlarm({
        kind,
        nf: t.nf,
        severity,
        message,
        details,
        raisedAt: at,
      });
      if (row) await this.publish(AlarmRaised.create(raisedEvent(row, t.kind, nf), { now: at }));
      return;
    }
    const row = await this.repository.clearAlarm(t.kind, t.nf, at, { message: t.message, ...t.details });
    if (row) await this.publish(AlarmCleared.create(clearedEvent(row, t, nf, at), { now: at }));
  }

  async list(q: { state: 'open' | 'all'; limit: number }): Promise<{ alarms: AlarmView[] }> {
    return { alarms: (await this.repository.listAlarms(q)).map(toAlarmView) };
  }

  /** Records who acknowledged an alarm, once: acknowledging again returns the alarm as it is, unaudited. */
  async acknowledge(id: string, by: Principal, requestId: string | null): Promise<AlarmView> {
    requireNational(by);
    requireRole(by, 'network-admin');
    const row = await this.repository.transaction(async (tx) => {
      const acked = await this.repository.acknowledge(id, by.name, new Date(), tx);
      if (!acked) return this.repository.findAlarm(id, tx);
      await this.audit.record(
        {
          actor: by.actor,
          action: 'core-network.alarm.acknowledged',
          target: `alarm:${acked.id}`,
          details: {
            kind: acked.kind,
            nf: acked.nf,
            severity: acked.severity,
            cleared: acked.clearedAt !== null,
          },
          requestId,
        },
        tx,
      );
      return acked;
    });
    if (!row) throw networkHealthError('alarm_not_found', `No alarm with id ${id}.`);
    return toAlarmView(row);
  }

  /** The alarm is in the database either way; a bus outage must not stop the monitor, so it is logged. */
  private async publish(event: DomainEvent<AlarmRaisedEvent | AlarmClearedEvent>): Promise<void> {
    try {
      await this.events.publish(event);
    } catch (err) {
      this.logger.error(
        { err, type: event.type, alarmId: event.data.alarmId },
        'could not publish an alarm event',
      );
    }
  }
}

function raisedEvent(
  row: AlarmRow,
  kind: AlarmKind,
  nf: { nfType: NfType; simulated: boolean },
): AlarmRaisedEvent {
  return {
    alarmId: row.id,
    kind,
    nf: row.nf,
    nfType: nf.nfType,
    simulated: nf.simulated,
    severity: row.severity,
    message: row.message,
    details: row.details as Record<string, unknown>,
    raisedAt: row.raisedAt.toISOString(),
  };
}

function clearedEvent(
  row: AlarmRow,
  t: AlarmTransition,
  nf: { nfType: NfType; simulated: boolean },
  at: Date,
): AlarmClearedEvent {
  return {
    alarmId: row.id,
    kind: t.kind,
    nf: row.nf,
    nfType: nf.nfType,
    simulated: nf.simulated,
    message: t.message,
    raisedAt: row.raisedAt.toISOString(),
    clearedAt: (row.clearedAt ?? at).toISOString(),
  };
}

export function toAlarmView(row: AlarmRow): AlarmView {
  return {
    id: row.id,
    kind: row.kind,
    nf: row.nf,
    severity: row.severity,
    state: row.clearedAt === null ? 'open' : 'cleared',
    message: row.message,
    // Only objects are ever stored as details (see NetworkHealthRepository).
    details: row.details as Record<string, unknown>,
    raisedAt: row.raisedAt.toISOString(),
    clearedAt: row.clearedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
  };
}
