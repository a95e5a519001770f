/**
 * One scrape of one NF: its Prometheus page (required: failing it is what "NF down" means) and, when due,
 * its JSON state (optional: older Open5GS builds have no infoAPI, which is not a fault).
 */
import { fetchNfText, NfFetchError } from './nf-http.js';
import { computeKpis, type Kpis, type MetricsSnapshot } from './open5gs-metrics.js';
import { fetchNfStateSummary, type NfStateSummary } from './open5gs-state.js';
import {
  PROMETHEUS_TEXT_CONTENT_TYPE,
  PrometheusParseError,
  parsePrometheusText,
} from './prometheus-text.js';
import type { ScrapeTarget } from './scrape-targets.js';

export type ScrapeOptions = {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly statePages: number;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
};

export type ScrapeResult =
  | {
      readonly ok: true;
      readonly snapshot: MetricsSnapshot;
      readonly kpis: Kpis;
      readonly state: NfStateSummary | null;
      readonly durationMs: number;
    }
  | { readonly ok: false; readonly error: string; readonly durationMs: number };

export async function scrapeNf(
  target: ScrapeTarget,
  previous: MetricsSnapshot | null,
  at: Date,
  withState: boolean,
  options: ScrapeOptions,
): Promise<ScrapeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const text = await fetchNfText(target.metricsUrl, { ...options, accept: PROMETHEUS_TEXT_CONTENT_TYPE });
    const snapshot: MetricsSnapshot = {
      at: at.getTime(),
      exposition: parsePrometheusText(text, { maxBytes: options.maxBytes }),
    };
    const kpis = computeKpis(target.nf, snapshot, previous);
    const state =
      withState && target.stateUrl
        ? await fetchNfStateSummary(target.nf, target.stateUrl, { ...options, maxPages: options.statePages })
        : null;
    return { ok: true, snapshot, kpis, state, durationMs: elapsed() };
  } catch (err) {
    return { ok: false, error: describe(err), durationMs: elapsed() };
  }
}

function describe(err: unknown): string {
  if (err instanceof NfFetchError) return err.message;
  if (err instanceof PrometheusParseError) return `invalid metrics page: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
