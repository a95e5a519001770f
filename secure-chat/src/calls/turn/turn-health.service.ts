import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { EVENT_BUS, FeatureBoard, LOGGER, type EventBus, type Logger } from '@pakawaaz/platform';
import { CALLS_CONFIG, type CallsConfig } from '../calls.config.js';
import { TurnServerHealthChanged } from '../calls.events.js';
import { Rounds } from '../rounds.js';
import { alarmOf, bestProbe, turnTargets, type TurnHealth, type TurnTarget } from './turn-health.js';
import { probeTurn, type ProbeCredentials, type ProbeResult } from './turn-probe.js';
import { TurnServersRepository } from './turn-servers.repository.js';
import { openStunClient, resolveHost, type ResolvedAddress } from './stun-udp.js';
import { TurnService } from './turn.service.js';

/** Bad probes in a row before a TURN server is marked down or degraded (one lost datagram is not an outage). */
export const TURN_DOWN_AFTER = 2;
/** A server no node has checked for this many probe periods is no longer configured anywhere: its row goes. */
export const TURN_PRUNE_AFTER_PERIODS = 5;
/** A probe's wait for each answer (Binding, each Allocate). */
const ANSWER_TIMEOUT_MS = 3_000;

export type TurnServerStatus = {
  server: string;
  urls: string[];
  health: TurnHealth;
  checkedAt: string | null;
  rttMs: number | null;
  error: string | null;
};

/**
 * Probes every configured TURN server every PAKAWAAZ_TURN_PROBE_SECONDS (turn-probe.ts: STUN Binding, then a
 * TURN Allocate with the REST credentials the clients get) and keeps the shared health. A change to down or
 * degraded raises the alarm — the event `secure-chat.turn.health-changed` (alarm `raised`) and an error in
 * the log —, up again clears it (alarm `cleared`). Calls keep working without TURN where peers reach each
 * other directly (host candidates), so nothing else changes: joins keep listing every server.
 */
@Injectable()
export class TurnHealthService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rounds = new Rounds(
    () => this.probeAll(),
    () => this.config.turn?.probeMs ?? 60_000,
    (err) => this.logger.error({ err }, 'TURN probes failed'),
  );

  constructor(
    private readonly repo: TurnServersRepository,
    private readonly turn: TurnService,
    @Inject(CALLS_CONFIG) private readonly config: Pick<CallsConfig, 'turn'>,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    // /healthz's `turn` line (absent in narrow tests).
    @Optional() private readonly features?: FeatureBoard,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.turn) this.rounds.start(0);
  }

  onModuleDestroy(): void {
    this.rounds.stop();
  }

  /** Each configured server with its stored health (none when TURN is not configured). */
  async status(): Promise<TurnServerStatus[]> {
    const { targets } = turnTargets(this.config.turn?.urls ?? []);
    if (targets.length === 0) return [];
    const rows = new Map((await this.repo.list()).map((r) => [r.server, r]));
    return targets.map((t) => {
      const r = rows.get(t.server);
      return {
        server: t.server,
        urls: t.urls,
        health: r?.health ?? 'unknown',
        checkedAt: r?.checkedAt?.toISOString() ?? null,
        rttMs: r?.rttMs ?? null,
        error: r?.detail ?? null,
      };
    });
  }

  /** One round over every server (the timer's work; tests call it directly). */
  async probeAll(now = new Date()): Promise<void> {
    const { targets } = turnTargets(this.config.turn?.urls ?? []);
    const periodMs = this.config.turn?.probeMs ?? 60_000;
    await this.repo.prune(new Date(now.getTime() - TURN_PRUNE_AFTER_PERIODS * periodMs));
    if (targets.length === 0) return;
    let credentials: ProbeCredentials | null = null;
    let secretError: string | null = null;
    try {
      const c = await this.turn.issue('turn-probe', now.getTime());
      if (c) credentials = { username: c.username, password: c.credential };
    } catch (err) {
      secretError = (err as Error).message;
    }
    await Promise.all(targets.map((t) => this.probeOne(t, credentials, secretError, now)));
    if (!this.features) return;
    const servers = await this.status();
    const count = (h: TurnHealth) => servers.filter((s) => s.health === h).length;
    // /healthz is public: counts only; which server and why is for GET /api/v1/calls/status.
    this.features.set('turn', {
      state: count('up') > 0 ? 'enabled' : 'disabled',
      detail: `${count('up')} of ${servers.length} TURN servers up, ${count('degraded')} degraded, ${count('down')} down`,
    });
  }

  private async probeAt(
    a: ResolvedAddress,
    t: TurnTarget,
    credentials: ProbeCredentials | null,
  ): Promise<ProbeResult> {
    try {
      const client = await openStunClient(a, t.port);
      try {
        return await probeTurn(client, credentials, ANSWER_TIMEOUT_MS);
      } finally {
        client.close();
      }
    } catch (err) {
      return { health: 'down', rttMs: null, error: `cannot reach ${a.address}: ${(err as Error).message}` };
    }
  }

  private async probeOne(
    t: TurnTarget,
    credentials: ProbeCredentials | null,
    secretError: string | null,
    now: Date,
  ): Promise<void> {
    let result: ProbeResult;
    try {
      const addresses = await resolveHost(t.host, ANSWER_TIMEOUT_MS);
      // Every address (A and AAAA): an unreachable one of them is not the server down.
      const results = await Promise.all(
        addresses.map(async (a) => ({ address: a.address, result: await this.probeAt(a, t, credentials) })),
      );
      result = bestProbe(t.host, results);
    } catch (err) {
      result = { health: 'down', rttMs: null, error: `cannot resolve ${t.host}: ${(err as Error).message}` };
    }
    // Without the secret, clients get no TURN credentials either: the server is of no use to them.
    if (secretError && result.health === 'up')
      result = { ...result, health: 'degraded', error: `the TURN secret cannot be read: ${secretError}` };
    result = { ...result, error: result.error?.slice(0, 500) ?? null };
    const change = await this.repo.record(t.server, result, TURN_DOWN_AFTER, now);
    if (change.before === change.after) return;
    const alarm = alarmOf(change.before, change.after);
    if (!alarm || change.after === 'unknown') return;
    this.logger[alarm === 'raised' ? 'error' : 'info'](
      { server: t.server, health: change.after, detail: result.error },
      alarm === 'raised' ? `TURN server ${change.after}` : 'TURN server up again',
    );
    await this.bus
      .publish(
        TurnServerHealthChanged.create({
          server: t.server,
          health: change.after,
          alarm,
          detail: result.error,
        }),
      )
      .catch((err: unknown) =>
        this.logger.error({ err, server: t.server }, 'could not publish the TURN alarm'),
      );
  }
}
