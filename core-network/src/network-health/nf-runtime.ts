/**
 * The monitor's memory of each NF between rounds, and the health view built from it. Kept apart from the
 * service so the scheduling and persistence logic there stays readable.
 */
import { Metrics } from '@pakawaaz/platform';
import { Gauge } from 'prom-client';
import { INITIAL_NF_RULE_STATE, type AlarmKind, type NfRuleState } from './alarm-rules.js';
import type { ScrapeResult } from './nf-scraper.js';
import type { Kpis, MetricsSnapshot, NfType } from './open5gs-metrics.js';
import type { NfStateSummary } from './open5gs-state.js';
import type { ScrapeTarget } from './scrape-targets.js';

/** What the monitor knows about one NF between rounds. */
export type NfRuntime = {
  target: ScrapeTarget;
  snapshot: MetricsSnapshot | null;
  rules: NfRuleState;
  restored: boolean;
  lastScrapeAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  durationMs: number | null;
  kpis: Kpis;
  state: NfStateSummary | null;
  stateAt: Date | null;
};

export type NfHealthView = {
  name: string;
  nf: NfType;
  simulated: boolean;
  status: 'up' | 'down' | 'unknown';
  lastScrapeAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  consecutiveFailures: number;
  scrapeDurationMs: number | null;
  kpis: Record<string, number>;
  activeAlarms: AlarmKind[];
  state: (NfStateSummary & { fetchedAt: string }) | null;
};

export type NetworkHealthView = {
  monitoring: boolean;
  intervalMs: number;
  /** True when any NF is a lab simulator: the NOC must say so. */
  simulated: boolean;
  lastRoundAt: string | null;
  nfs: NfHealthView[];
};

export function newRuntime(target: ScrapeTarget): NfRuntime {
  return {
    ...{ target, snapshot: null, rules: INITIAL_NF_RULE_STATE, restored: false, lastScrapeAt: null },
    ...{ lastSuccessAt: null, lastError: null, consecutiveFailures: 0, durationMs: null, kpis: {} },
    ...{ state: null, stateAt: null },
  };
}

export function recordScrape(rt: NfRuntime, r: ScrapeResult, at: Date, gauge: Gauge | null): void {
  rt.lastScrapeAt = at;
  rt.durationMs = r.durationMs;
  gauge?.set({ nf: rt.target.name, type: rt.target.nf }, r.ok ? 1 : 0);
  if (!r.ok) {
    rt.consecutiveFailures++;
    rt.lastError = r.error;
    return;
  }
  Object.assign(rt, {
    snapshot: r.snapshot,
    kpis: r.kpis,
    lastSuccessAt: at,
    lastError: null,
    consecutiveFailures: 0,
  });
  if (r.state) Object.assign(rt, { state: r.state, stateAt: at });
}

export function toHealthView(rt: NfRuntime): NfHealthView {
  const status = rt.lastScrapeAt === null ? 'unknown' : rt.consecutiveFailures > 0 ? 'down' : 'up';
  return {
    name: rt.target.name,
    nf: rt.target.nf,
    simulated: rt.target.simulated ?? false,
    status,
    lastScrapeAt: rt.lastScrapeAt?.toISOString() ?? null,
    lastSuccessAt: rt.lastSuccessAt?.toISOString() ?? null,
    lastError: rt.lastError,
    consecutiveFailures: rt.consecutiveFailures,
    scrapeDurationMs: rt.durationMs,
    kpis: { ...rt.kpis },
    activeAlarms: [...rt.rules.active].sort(),
    state: rt.state && rt.stateAt ? { ...rt.state, fetchedAt: rt.stateAt.toISOString() } : null,
  };
}

export function nfUpGauge(metrics: Metrics): Gauge {
  const name = 'pakawaaz_nf_up';
  const existing = metrics.registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({
    name,
    help: 'Whether the last scrape of an Open5GS NF succeeded (1) or not (0)',
    labelNames: ['nf', 'type'],
    registers: [metrics.registry],
  });
}
