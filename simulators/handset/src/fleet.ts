import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiClient } from '@pakawaaz/api-client';
import type { LabAttestationRoot } from './lab-attestation.js';
import { SimulatedHandset, type HandsetOptions } from './handset.js';
import { HandsetHttpError } from './http-error.js';
import { LatencyWindow } from './latency.js';
import { mtlsFetch } from './mtls-fetch.js';
import { provisionTrustedRoot } from './ota-client.js';

export type FleetOptions = {
  apiUrl: string;
  deviceUrl: string;
  /** A device-admin's bearer token: the fleet makes one enrolment token per handset. */
  token: string;
  root: LabAttestationRoot;
  devices: number;
  /** How long to run after enrolment; 0: enrol, check in once each, stop. */
  durationSeconds: number;
  /** Seconds between one handset's check-ins (jittered ±20 %); 0: back to back (a storm). */
  intervalSeconds: number;
  /** Enrolments in flight at once. */
  concurrency?: number;
  /** Officials to enrol for (usernames), round robin; default: the first active officials the API lists. */
  officials?: readonly string[];
  /** Lab fault: this fraction (0..1) of handsets (by a hash of their device id) fail OS updates. */
  updateFailureRate?: number;
  /**
   * OS updates: the model the handsets attest and the folder of their OTA folders (one per handset: trusted
   * TUF root, metadata cache). The root is taken from the server at enrolment when it publishes one, else at
   * the first update (lab trust on first use; a real handset ships it in its OS image).
   */
  ota?: { model: string; dir: string };
  /**
   * Apps: the store the handsets trust (see HandsetOptions.store; without it they install unchecked) and the
   * lab fault that makes their store-installed apps crash.
   */
  store?: HandsetOptions['store'];
  crashApps?: boolean;
  /**
   * The MQTT broker's device listener (`mqtts://host:port`): each handset listens for pushes and checks in at
   * once on one (those check-ins are not in the figures, which count the interval's). Without it they only poll.
   */
  pushUrl?: string;
  onProgress?: (p: FleetProgress) => void;
  signal?: AbortSignal;
};

export type FleetProgress = {
  phase: 'enrolling' | 'running' | 'done';
  enrolled: number;
  devices: number;
  compliant: number;
  checkIns: number;
  checkInsPerSecond: number;
  p99Ms: number | null;
  errors: number;
  /** The last error's code or message, for the progress line. */
  lastError: string | null;
};

/** One progress line: `enrolled 40/40 · compliant 40 · 812 check-ins/s · p99 31 ms · errors 0`. */
export const progressLine = (p: FleetProgress): string =>
  `${p.phase === 'enrolling' ? 'enrolling' : p.phase}: enrolled ${p.enrolled}/${p.devices} · compliant ${p.compliant}` +
  ` · ${Math.round(p.checkInsPerSecond)} check-ins/s · p99 ${p.p99Ms === null ? '–' : `${p.p99Ms.toFixed(1)} ms`}` +
  ` · errors ${p.errors}${p.lastError ? ` (last: ${p.lastError})` : ''}`;

/**
 * Enrols `devices` simulated handsets against a running server and keeps them checking in over mutual TLS,
 * reporting progress every second. Each handset obeys the commands it receives.
 */
export async function runFleet(o: FleetOptions): Promise<FleetProgress> {
  const api = createApiClient({ baseUrl: o.apiUrl, token: o.token, fetch: mtlsFetch() });
  const officials = o.officials?.length ? [...o.officials] : await listOfficials(api, o.devices);
  if (officials.length === 0) throw new Error('No active official to enrol handsets for: create one first.');
  const stats = new FleetStats(o.devices);
  const ticker = setInterval(() => o.onProgress?.(stats.snapshot()), 1000);
  const handsets: SimulatedHandset[] = [];
  try {
    await enrolAll(o, api, officials, stats, handsets);
    stats.phase = 'running';
    const until = Date.now() + o.durationSeconds * 1000;
    await Promise.all(handsets.map((h) => runHandset(h, o, stats, until)));
  } finally {
    clearInterval(ticker);
    handsets.forEach((h) => h.close());
  }
  stats.phase = 'done';
  const last = stats.snapshot();
  o.onProgress?.(last);
  return last;
}

type Api = ReturnType<typeof createApiClient>;

/** The largest page `GET /api/v1/users` serves; handsets beyond it take officials round robin. */
const USERS_PAGE_MAX = 200;

async function listOfficials(api: Api, wanted: number): Promise<string[]> {
  const limit = Math.min(Math.max(wanted, 1), USERS_PAGE_MAX);
  const { data, error } = await api.GET('/api/v1/users', {
    params: { query: { kind: 'official', status: 'active', limit } },
  });
  if (error) throw new Error(`Listing officials failed: ${error.code} — ${error.message}`);
  return data.users.map((u) => u.username);
}

async function enrolAll(
  o: FleetOptions,
  api: Api,
  officials: string[],
  stats: FleetStats,
  out: SimulatedHandset[],
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < o.devices && !o.signal?.aborted) {
      const i = next++;
      const handset = new SimulatedHandset({
        apiUrl: o.apiUrl,
        deviceUrl: o.deviceUrl,
        root: o.root,
        ...(o.updateFailureRate === undefined ? {} : { updateFailureRate: o.updateFailureRate }),
        ...(o.store ? { store: o.store } : {}),
        ...(o.crashApps ? { crashApps: true } : {}),
        ...(o.ota
          ? { model: o.ota.model, otaDir: path.join(o.ota.dir, String(i)), trustServerRoot: true }
          : {}),
      });
      try {
        const token = await enrolmentToken(api, officials[i % officials.length] as string);
        await handset.enrol(token);
        if (o.ota) await provisionTrustedRoot(o.apiUrl, path.join(o.ota.dir, String(i))).catch(() => false);
        out.push(handset);
        stats.enrolled++;
        if (o.pushUrl) handset.connectPush(o.pushUrl, { onError: (err) => stats.error(err) });
      } catch (err) {
        handset.close();
        stats.error(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency ?? 8) }, worker));
}

async function enrolmentToken(api: Api, official: string): Promise<string> {
  const res = await api.POST('/api/v1/enrolment-tokens', { body: { official, expiresInHours: 1 } });
  if (res.error) throw new HandsetHttpError(res.response.status, res.error.code, res.error);
  return res.data.token;
}

async function runHandset(h: SimulatedHandset, o: FleetOptions, stats: FleetStats, until: number) {
  do {
    if (o.signal?.aborted || h.state.retired) return;
    const started = performance.now();
    try {
      const reply = await h.checkIn();
      stats.checkIn(h, performance.now() - started, reply.compliance.state === 'compliant');
    } catch (err) {
      stats.error(err);
    }
    if (o.intervalSeconds > 0 && Date.now() < until)
      await sleep(o.intervalSeconds * 1000 * (0.8 + Math.random() * 0.4), undefined, {
        signal: o.signal,
      }).catch(() => undefined);
  } while (Date.now() < until);
}

class FleetStats {
  phase: FleetProgress['phase'] = 'enrolling';
  enrolled = 0;
  checkIns = 0;
  errors = 0;
  lastError: string | null = null;
  private readonly latency = new LatencyWindow();
  private readonly compliant = new Map<SimulatedHandset, boolean>();
  private readonly recent: number[] = [];

  constructor(private readonly devices: number) {}

  checkIn(h: SimulatedHandset, ms: number, compliant: boolean): void {
    this.checkIns++;
    this.latency.add(ms);
    this.compliant.set(h, compliant);
    this.recent.push(Date.now());
  }

  error(err: unknown): void {
    this.errors++;
    this.lastError =
      err instanceof HandsetHttpError
        ? (err.code ?? `HTTP ${err.status}`)
        : String((err as Error).message ?? err);
  }

  snapshot(): FleetProgress {
    const cutoff = Date.now() - 1000;
    while (this.recent.length > 0 && (this.recent[0] as number) < cutoff) this.recent.shift();
    return {
      phase: this.phase,
      enrolled: this.enrolled,
      devices: this.devices,
      compliant: [...this.compliant.values()].filter(Boolean).length,
      checkIns: this.checkIns,
      checkInsPerSecond: this.recent.length,
      p99Ms: this.latency.percentile(99),
      errors: this.errors,
      lastError: this.lastError,
    };
  }
}
