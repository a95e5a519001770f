import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  EVENT_BUS,
  FeatureBoard,
  LOGGER,
  PageConnectSources,
  type EventBus,
  type Logger,
} from '@pakawaaz/platform';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { MediaHostHealthChanged } from '../calls.events.js';
import { CallNotifier } from '../signalling/call-notifier.js';
import { CallReaperService } from '../rooms/call-reaper.service.js';
import { CallsRepository } from '../rooms/calls.repository.js';
import { Rounds } from '../rounds.js';
import { MediaHostsRepository, type MediaHostRow } from './media-hosts.repository.js';
import { EmbeddedJanusService } from './embedded-janus.service.js';
import { MediaHostsService } from './media-hosts.service.js';
import { callsDisabledDetail, nextHealth } from './placement.js';

/** Failed probes in a row before a host is marked down (one lost reply is not an outage). */
export const DOWN_AFTER = 2;

/**
 * Probes every media host's admin API (`info` and `list_sessions`) every PAKAWAAZ_CALLS_HEALTH_SECONDS and
 * records its health; a change up or down is published (MediaHostHealthChanged) and logged. Placement reads
 * the recorded health, so new calls leave a host within two probes of its failure; the calls it held end.
 */
@Injectable()
export class HostHealthService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rounds = new Rounds(
    () => this.probeAll(),
    () => this.config.healthMs,
    (err) => this.logger.error({ err }, 'media host probes failed'),
  );

  constructor(
    private readonly repo: MediaHostsRepository,
    private readonly hosts: MediaHostsService,
    private readonly calls: CallsRepository,
    @Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'healthMs'>,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    // /healthz's `calls` line (absent in narrow tests).
    @Optional() private readonly features?: FeatureBoard,
    @Optional() private readonly embedded?: EmbeddedJanusService,
    @Optional() private readonly reaper?: CallReaperService,
    @Optional() private readonly notifier?: CallNotifier,
    @Optional() private readonly pageSources?: PageConnectSources,
  ) {}

  onApplicationBootstrap(): void {
    // The first round once the embedded Janus (if any) is registered, so /healthz is right from the start.
    void (this.embedded?.settled ?? Promise.resolve()).then(() => this.rounds.start(0));
  }

  onModuleDestroy(): void {
    this.rounds.stop();
  }

  /** One round over every host (the timer's work; tests call it directly). */
  async probeAll(now = new Date()): Promise<void> {
    const rows = await this.repo.list();
    const enabled = rows.filter((r) => r.enabled);
    // The web chat's pages connect to the hosts' Janus WebSockets: its CSP names them (updated every round).
    this.pageSources?.set(
      'calls',
      enabled.map((r) => r.wsUrl),
    );
    const health = await Promise.all(enabled.map((r) => this.probe(r, now)));
    const up = health.filter((h) => h === 'up').length;
    this.features?.set(
      'calls',
      up > 0
        ? { state: 'enabled', detail: `${up} of ${rows.length} media hosts up` }
        : { state: 'disabled', detail: callsDisabledDetail(rows.length, this.embedded?.status) },
    );
  }

  private async probe(row: MediaHostRow, now: Date): Promise<MediaHostRow['health']> {
    let ok = true;
    let detail: string | null = null;
    let info: { version: string; sessions: number } | undefined;
    try {
      info = await (await this.hosts.adminOf(row)).info();
    } catch (err) {
      ok = false;
      detail = (err as Error).message.slice(0, 500);
    }
    const next = nextHealth(row.health, row.failures, ok, DOWN_AFTER);
    const changed = await this.repo.recordHealth(row.id, {
      ...next,
      healthDetail: detail,
      janusVersion: info?.version ?? row.janusVersion,
      sessions: info?.sessions ?? null,
      checkedAt: now,
    });
    if (!changed || next.health === 'unknown') return next.health;
    // Its rooms died with it: the calls are over (clients see their Janus session drop) and free no capacity.
    const ended = next.health === 'down' ? await this.calls.endCallsOnHost(row.id, now) : [];
    // Their participants are told at once (call-ended, media_host_down) rather than left on a dead room.
    for (const call of ended)
      this.notifier
        ?.ended(call, 'media_host_down')
        .catch((err: unknown) => this.logger.warn({ err, callId: call.id }, 'call-ended not signalled'));
    // Back up: the rooms of the calls ended while it was down may have survived (a network cut, not a crash).
    if (next.health === 'up') await this.reaper?.sweepOrphans(row);
    this.logger[next.health === 'up' ? 'info' : 'warn'](
      { host: row.name, health: next.health, detail, endedCalls: ended.length },
      `media host ${next.health}`,
    );
    await this.bus.publish(
      MediaHostHealthChanged.create({ hostId: row.id, name: row.name, health: next.health, detail }),
    );
    return next.health;
  }
}
