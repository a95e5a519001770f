import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The process's Prometheus registry; domains register their own metrics on `registry`. */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'pakawaaz_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly httpErrors = new Counter({
    name: 'pakawaaz_http_errors_total',
    help: 'HTTP responses with status >= 400 by code class',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private source: () => Promise<string> = () => this.registry.metrics();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pakawaaz_' });
  }

  /** What `/metrics` answers: this process's registry, or every process's of the host (`answerWith`). */
  text(): Promise<string> {
    return this.source();
  }

  /**
   * With several server processes on a host (PAKAWAAZ_PROCESSES), a scrape reaches whichever took the
   * connection: it answers with all of them, summed, so counters do not jump between scrapes.
   */
  answerWith(source: () => Promise<string>): void {
    this.source = source;
  }

  /** Route is the registered pattern (`/api/v1/x/:id`), never the raw URL, to keep label cardinality bounded. */
  observeHttp(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? 'unmatched', status: String(status) }, seconds);
    if (status >= 400) this.httpErrors.inc({ status: `${Math.floor(status / 100)}xx` });
  }
}
