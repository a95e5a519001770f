import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { LOGGER, Metrics, PROCESS_PEERS, type Logger, type ProcessPeers } from '@pakawaaz/platform';
import type { Gauge } from 'prom-client';
import { evaluateAlarmRules, restoreNfRuleState } from './alarm-rules.js';
import { AlarmsService } from './alarms.service.js';
import { NetworkHealthRepository, type KpiSampleRow } from './network-health.repository.js';
import {
  DEFAULT_NETWORK_HEALTH_OPTIONS,
  mapLimit,
  NETWORK_HEALTH_OPTIONS,
  type NetworkHealthOptions,
} from './network-health.options.js';
import {
  newRuntime,
  nfUpGauge,
  recordScrape,
  toHealthView,
  type NetworkHealthView,
  type NfRuntime,
} from './nf-runtime.js';
import { scrapeNf, type ScrapeResult } from './nf-scraper.js';
import { KPI_NAMES } from './open5gs-metrics.js';
import { parseScrapeTargets } from './scrape-targets.js';

const HEALTH_KEY = 'core-network.health';

export type KpiHistoryQuery = {
  nf?: string | undefined;
  kpi?: string | undefined;
  since?: string | undefined;
  limit: number;
};

/**
 * Network health monitor: scrapes every configured NF on an interval (bounded concurrency, per-request
 * timeout, rounds never overlapping), keeps KPI history, and turns the rules engine's transitions into
 * alarms and events. Targets come from the caller (derived from the network spec, or the lab simulator).
 */
@Injectable()
export class NetworkHealthService implements OnApplicationShutdown {
  private readonly options: NetworkHealthOptions;
  private readonly nfs = new Map<string, NfRuntime>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private round: Promise<void> | null = null;
  private rounds = 0;
  private lastRoundAt: Date | null = null;
  private lastPruneAt: Date | null = null;
  private abort = new AbortController();
  private readonly upGauge: Gauge | null;

  constructor(
    private readonly repository: NetworkHealthRepository,
    private readonly alarms: AlarmsService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(NETWORK_HEALTH_OPTIONS) options?: Partial<NetworkHealthOptions>,
    @Optional() metrics?: Metrics,
    @Optional() @Inject(PROCESS_PEERS) private readonly peers?: ProcessPeers,
  ) {
    this.options = { ...DEFAULT_NETWORK_HEALTH_OPTIONS, ...options };
    this.upGauge = metrics ? nfUpGauge(metrics) : null;
    peers?.serve(HEALTH_KEY, () => this.health());
  }

  /** Replaces the monitored NFs; an NF keeping its name and URLs keeps its history and alarm state. */
  setTargets(targets: readonly unknown[]): void {
    const next = parseScrapeTargets(targets);
    const names = new Set(next.map((t) => t.name));
    for (const name of this.nfs.keys()) if (!names.has(name)) this.nfs.delete(name);
    for (const target of next) {
      const old = this.nfs.get(target.name);
      // Kept in place: a round in flight holds the runtime objects it records into.
      if (old && old.target.nf === target.nf && old.target.metricsUrl === target.metricsUrl)
        old.target = target;
      else this.nfs.set(target.name, newRuntime(target));
    }
  }

  start(targets?: readonly unknown[]): void {
    if (targets) this.setTargets(targets);
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** Stops scheduling, aborts requests in flight and waits for the current round to finish. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.round;
    // A later runOnce() (or start()) must not see the old abort.
    this.abort = new AbortController();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One scrape round now. A call during a round joins it instead of starting another. */
  runOnce(): Promise<void> {
    this.round ??= this.scrapeAll().finally(() => (this.round = null));
    return this.round;
  }

  /** The monitor's view from the process that runs it: the host's lead (PAKAWAAZ_PROCESSES), or this one. */
  hostHealth(): Promise<NetworkHealthView> {
    return this.peers ? this.peers.fromLead<NetworkHealthView>(HEALTH_KEY) : Promise.resolve(this.health());
  }

  health(): NetworkHealthView {
    const nfs = [...this.nfs.values()].map(toHealthView);
    return {
      monitoring: this.started,
      intervalMs: this.options.intervalMs,
      simulated: nfs.some((n) => n.simulated),
      lastRoundAt: this.lastRoundAt?.toISOString() ?? null,
      nfs,
    };
  }

  async kpiHistory(
    q: KpiHistoryQuery,
  ): Promise<{ samples: { nf: string; kpi: string; value: number; at: string }[] }> {
    const rows = await this.repository.kpiHistory({
      ...q,
      since: q.since === undefined ? undefined : new Date(q.since),
    });
    return { samples: rows.map((r) => ({ nf: r.nf, kpi: r.kpi, value: r.value, at: r.at.toISOString() })) };
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.cycle(), delayMs);
    // The HTTP server keeps the process alive; a monitor alone must not (CLI, tests).
    this.timer.unref();
  }

  private async cycle(): Promise<void> {
    const started = performance.now();
    await this.runOnce();
    if (this.started) this.schedule(Math.max(0, this.options.intervalMs - (performance.now() - started)));
  }

  private async scrapeAll(): Promise<void> {
    try {
      await this.restoreAlarmState();
      const at = this.options.clock();
      const withState = this.rounds++ % this.options.stateEveryRounds === 0;
      const runtimes = [...this.nfs.values()];
      const results = await mapLimit(runtimes, this.options.concurrency, (rt) =>
        scrapeNf(rt.target, rt.snapshot, at, withState, { ...this.options, signal: this.abort.signal }),
      );
      // Results of a stop() in the middle of the round are aborts, not NF failures.
      if (this.abort.signal.aborted) return;
      runtimes.forEach((rt, i) => recordScrape(rt, results[i] as ScrapeResult, at, this.upGauge));
      await this.storeKpis(runtimes, results, at);
      for (const [i, rt] of runtimes.entries()) await this.judge(rt, results[i] as ScrapeResult, at);
      this.lastRoundAt = at;
      await this.prune(at);
    } catch (err) {
      this.logger.error({ err }, 'network health round failed');
    }
  }

  private async storeKpis(runtimes: NfRuntime[], results: ScrapeResult[], at: Date): Promise<void> {
    const rows: KpiSampleRow[] = runtimes.flatMap((rt, i) => {
      const r = results[i];
      return r?.ok
        ? Object.entries(r.kpis).map(([kpi, value]) => ({ nf: rt.target.name, kpi, value, at }))
        : [];
    });
    try {
      await this.repository.insertKpiSamples(rows);
    } catch (err) {
      this.logger.error({ err, rows: rows.length }, 'could not store KPI samples');
    }
  }

  /** Runs the rules; the new rule state is kept only once its transitions are stored, so failures retry. */
  private async judge(rt: NfRuntime, result: ScrapeResult, at: Date): Promise<void> {
    const { nf, simulated = false } = rt.target;
    const obs = result.ok
      ? { nf: rt.target.name, nfType: nf, ok: true as const, kpis: result.kpis }
      : { nf: rt.target.name, nfType: nf, ok: false as const, error: result.error };
    const step = evaluateAlarmRules(rt.rules, obs, this.options.rules);
    try {
      for (const t of step.transitions) await this.alarms.apply(t, { nfType: nf, simulated }, at);
      rt.rules = step.state;
    } catch (err) {
      this.logger.error(
        { err, nf: rt.target.name },
        'could not store alarm transitions; retrying next round',
      );
    }
  }

  /** Alarms left open by a previous process must be clearable (and not raised twice) by this one. */
  private async restoreAlarmState(): Promise<void> {
    const pending = [...this.nfs.values()].filter((rt) => !rt.restored);
    if (pending.length === 0) return;
    let open: { nf: string; kind: string; details: unknown }[];
    try {
      open = (await this.alarms.list({ state: 'open', limit: 1_000 })).alarms;
    } catch (err) {
      // Scrape anyway: opening alarms is idempotent, and the restore is retried next round.
      this.logger.error({ err }, 'could not read open alarms; retrying next round');
      return;
    }
    for (const rt of pending) {
      rt.rules = restoreNfRuleState(open.filter((a) => a.nf === rt.target.name));
      rt.restored = true;
    }
  }

  /** Per (nf, kpi) so deletes use the index; the first prune of a process also sweeps NFs no longer configured. */
  private async prune(at: Date): Promise<void> {
    if (this.lastPruneAt && at.getTime() - this.lastPruneAt.getTime() < this.options.pruneEveryMs) return;
    const before = new Date(at.getTime() - this.options.retentionMs);
    const pairs = this.lastPruneAt
      ? [...this.nfs.keys()].flatMap((nf) => KPI_NAMES.map((kpi) => ({ nf, kpi })))
      : undefined;
    this.lastPruneAt = at;
    try {
      const deleted = await this.repository.pruneKpiSamples(before, pairs);
      if (deleted > 0) this.logger.info({ deleted, before }, 'pruned KPI history');
    } catch (err) {
      this.logger.error({ err }, 'could not prune KPI history');
    }
  }
}
