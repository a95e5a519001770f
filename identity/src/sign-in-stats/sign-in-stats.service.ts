import { Inject, Injectable, Optional } from '@nestjs/common';
import { Metrics, PROCESS_PEERS, requireRole, type Principal, type ProcessPeers } from '@pakawaaz/platform';
import { Counter } from 'prom-client';
import {
  failedFactor,
  SignInTally,
  succeededFactors,
  type SignInFactor,
  type SignInOutcome,
  type TallyRow,
} from './sign-in-tally.js';

export type SignInStatsView = {
  bucketSeconds: number;
  since: string;
  /** This node's counts (in memory, since it started): each node answers for the sign-ins it handled. */
  scope: 'node';
  buckets: { at: string; factor: SignInFactor; succeeded: number; failed: number }[];
};

const METRIC = 'pakawaaz_sign_in_steps_total';
const TALLY_KEY = 'identity.sign-in-stats';

type WireRow = SignInStatsView['buckets'][number];

/** The processes' rows from `since` (an ISO bucket start) on, one per bucket and factor, in time order. */
function addUp(all: readonly (readonly WireRow[])[], since: string): WireRow[] {
  const sum = new Map<string, WireRow>();
  for (const r of all.flat()) {
    if (r.at < since) continue;
    const key = `${r.at} ${r.factor}`;
    const s = sum.get(key);
    if (s) {
      s.succeeded += r.succeeded;
      s.failed += r.failed;
    } else sum.set(key, { ...r });
  }
  return [...sum.values()].sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * Sign-in successes and failures by factor: a bounded in-memory tally for the NOC's chart (last 24 hours of
 * this node) and a Prometheus counter for fleet-wide history. Fed by LoginFailures, which sees every
 * completed and failed sign-in step (HTTP steps, passkeys, SIM, device and RADIUS PAP).
 */
@Injectable()
export class SignInStatsService {
  private readonly tally = new SignInTally();
  private readonly counter: Counter<'factor' | 'outcome'> | null;
  /** Replaceable in tests. */
  now: () => number = Date.now;

  constructor(
    @Optional() metrics?: Metrics,
    @Optional() @Inject(PROCESS_PEERS) private readonly peers?: ProcessPeers,
  ) {
    peers?.serve(TALLY_KEY, () => this.localRows(0));
    const existing = metrics?.registry.getSingleMetric(METRIC) as Counter<'factor' | 'outcome'> | undefined;
    this.counter = metrics
      ? (existing ??
        new Counter({
          name: METRIC,
          help: 'Completed and failed sign-in steps by factor (amr vocabulary; radius = RADIUS PAP)',
          labelNames: ['factor', 'outcome'] as const,
          registers: [metrics.registry],
        }))
      : null;
  }

  /** A completed sign-in: one success for each factor it used. */
  succeeded(amr: readonly string[]): void {
    for (const factor of succeededFactors(amr)) this.count(factor, 'succeeded');
  }

  /** A RADIUS PAP request accepted (password and code in one). */
  radiusSucceeded(): void {
    this.count('radius', 'succeeded');
  }

  /** A failed step, by the name LoginFailures logs (`totp:invalid` …); unknown names are not counted. */
  failed(step: string): void {
    const factor = failedFactor(step);
    if (factor) this.count(factor, 'failed');
  }

  /**
   * The last `hours` (1-24) of this node's tally, for security officers and viewers: with several processes on
   * the host (PAKAWAAZ_PROCESSES), every process's, added up.
   */
  async view(principal: Principal, hours: number): Promise<SignInStatsView> {
    requireRole(principal, 'security-officer', 'viewer');
    const since = this.now() - hours * 3_600_000;
    const all = this.peers ? await this.peers.fromAll<WireRow[]>(TALLY_KEY) : [this.localRows(0)];
    return {
      bucketSeconds: this.tally.bucketMs / 1000,
      since: new Date(since).toISOString(),
      scope: 'node',
      buckets: addUp(all, new Date(since - (since % this.tally.bucketMs)).toISOString()),
    };
  }

  private localRows(since: number): WireRow[] {
    return this.tally.rows(since).map((r: TallyRow) => ({ ...r, at: r.at.toISOString() }));
  }

  private count(factor: SignInFactor, outcome: SignInOutcome): void {
    this.tally.record(factor, outcome, this.now());
    this.counter?.inc({ factor, outcome });
  }
}
