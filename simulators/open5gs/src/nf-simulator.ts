/**
 * Open5GS NF simulator for tests, the embedded demo and fault drills. Like real Open5GS, every NF has its
 * own metrics HTTP server (`/` health, `/metrics`, and the JSON infoAPI on the AMF, SMF and MME), here each
 * on an ephemeral port of `host` since all share one address. Values come from one seeded simulated network
 * (see sim-world.ts) that advances with the clock, so counters grow, UEs drift, and faults show up where a
 * monitor would see them. Every target is flagged `simulated: true` so the NOC never mistakes it for a core.
 */
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { countersSince, nfMetricsPage, snapshotCounters, type SimNfType } from './sim-metrics.js';
import { SIM_STATE_ENDPOINTS, statePage, type SimStateEndpoint } from './sim-state-api.js';
import { DEFAULT_SIM_WORLD, SimWorld, type SimCounters, type SimWorldConfig } from './sim-world.js';

export type { SimNfType } from './sim-metrics.js';

export type SimNfSpec = { readonly nf: SimNfType; readonly name?: string; readonly port?: number };

export type NfSimulatorOptions = {
  readonly nfs: readonly (SimNfType | SimNfSpec)[];
  /** Loopback by default: a simulator has no business on a real network. */
  readonly host?: string;
  readonly seed?: number;
  /** Clock in ms; tests pass their own to make time (and so the numbers) fully reproducible. */
  readonly now?: () => number;
  readonly world?: Partial<Omit<SimWorldConfig, 'seed' | 'upfs'>>;
};

/** What the health monitor scrapes (structurally the core-network ScrapeTarget). */
export type SimulatedTarget = {
  readonly nf: SimNfType;
  readonly name: string;
  readonly metricsUrl: string;
  readonly stateUrl?: string;
  readonly simulated: true;
};

/** One simulated NF and its faults. */
export type SimulatedNf = {
  readonly nf: SimNfType;
  readonly name: string;
  readonly port: number;
  readonly target: SimulatedTarget;
  readonly running: boolean;
  /** Requests received so far (any path). */
  readonly requests: number;
  /** Closes the server: connections are refused until start(). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** A process restart: counters start again from zero (a UPF also loses its sessions). */
  restart(): void;
  /** Answers every request with this HTTP status (null: back to normal). */
  respondWith(status: number | null): void;
  /** Delays every answer, to exercise scrape timeouts. */
  setLatency(ms: number): void;
};

export type NfSimulator = {
  readonly targets: readonly SimulatedTarget[];
  readonly nfs: readonly SimulatedNf[];
  /** The simulated network, for assertions. */
  readonly world: SimWorld;
  nf(name: string): SimulatedNf;
  /** Share of initial registrations that fail, 0..1. */
  setRegistrationFailureRate(rate: number): void;
  /** Drops this percentage (0..100) of the sessions of one UPF, or of all; UEs re-establish them over time. */
  dropUpfSessions(percent: number, upfName?: string): void;
  setGnbCount(count: number): void;
  setEnbCount(count: number): void;
  close(): Promise<void>;
};

export async function startNfSimulator(options: NfSimulatorOptions): Promise<NfSimulator> {
  const host = options.host ?? '127.0.0.1';
  const specs = namedSpecs(options.nfs);
  const now = options.now ?? Date.now;
  const has = (nf: SimNfType) => specs.some((s) => s.nf === nf);
  const world = new SimWorld({
    ...DEFAULT_SIM_WORLD,
    // eNBs only with an MME: otherwise LTE would keep registrations going in a 5G-only drill.
    enbs: has('mme') ? DEFAULT_SIM_WORLD.enbs : 0,
    ...options.world,
    seed: options.seed ?? DEFAULT_SIM_WORLD.seed,
    upfs: specs.filter((s) => s.nf === 'upf').map((s) => s.name),
  });
  const startedAt = now();
  const sync = () => world.advanceTo(Math.floor((now() - startedAt) / world.config.stepMs));
  const nfs: SimNf[] = [];
  try {
    for (const spec of specs) nfs.push(await SimNf.listen(spec, host, world, sync));
  } catch (err) {
    await Promise.all(nfs.map((n) => n.stop()));
    throw err;
  }
  return simulatorHandle(world, nfs, sync);
}

function simulatorHandle(world: SimWorld, nfs: SimNf[], sync: () => void): NfSimulator {
  const find = (name: string): SimNf => {
    const nf = nfs.find((n) => n.name === name);
    if (!nf) throw new Error(`no simulated NF named "${name}" (have: ${nfs.map((n) => n.name).join(', ')})`);
    return nf;
  };
  return {
    targets: nfs.map((n) => n.target),
    nfs,
    world,
    nf: find,
    setRegistrationFailureRate(rate) {
      if (!(rate >= 0 && rate <= 1)) throw new RangeError('registration failure rate must be in 0..1');
      sync();
      world.registrationFailureRate = rate;
    },
    dropUpfSessions(percent, upfName) {
      if (!(percent >= 0 && percent <= 100)) throw new RangeError('percent must be in 0..100');
      if (upfName !== undefined && find(upfName).nf !== 'upf') throw new Error(`${upfName} is not a UPF`);
      sync();
      world.dropUpfSessions(percent / 100, upfName);
    },
    setGnbCount(count) {
      sync();
      world.setRanCount('gnb', count);
    },
    setEnbCount(count) {
      sync();
      world.setRanCount('enb', count);
    },
    close: async () => void (await Promise.all(nfs.map((n) => n.stop()))),
  };
}

/** Default names `sim-<nf>`, numbered when a type repeats; explicit names must be unique. */
type NamedSpec = { nf: SimNfType; name: string; port: number };

function namedSpecs(nfs: NfSimulatorOptions['nfs']): NamedSpec[] {
  const specs = nfs.map((n) => (typeof n === 'string' ? { nf: n } : n));
  const seen = new Map<SimNfType, number>();
  const out = specs.map((s) => {
    if (s.name !== undefined) return { nf: s.nf, name: s.name, port: s.port ?? 0 };
    const k = (seen.get(s.nf) ?? 0) + 1;
    seen.set(s.nf, k);
    const repeated = specs.filter((x) => x.nf === s.nf && x.name === undefined).length > 1;
    return { nf: s.nf, name: repeated ? `sim-${s.nf}-${k}` : `sim-${s.nf}`, port: s.port ?? 0 };
  });
  const names = new Set(out.map((s) => s.name));
  if (names.size !== out.length) throw new Error('simulated NF names must be unique');
  if (out.length === 0) throw new Error('give at least one NF to simulate');
  return out;
}

const ALL_STATE_ENDPOINTS: ReadonlySet<string> = new Set(['gnb-info', 'enb-info', 'ue-info', 'pdu-info']);

class SimNf implements SimulatedNf {
  requests = 0;
  private forcedStatus: number | null = null;
  private latencyMs = 0;
  private baseline: SimCounters | null = null;
  private server: Server | null = null;

  private constructor(
    readonly nf: SimNfType,
    readonly name: string,
    private readonly host: string,
    private readonly world: SimWorld,
    private readonly sync: () => void,
    public port: number,
  ) {}

  static async listen(spec: NamedSpec, host: string, world: SimWorld, sync: () => void): Promise<SimNf> {
    const nf = new SimNf(spec.nf, spec.name, host, world, sync, spec.port);
    await nf.start();
    return nf;
  }

  get running(): boolean {
    return this.server !== null;
  }

  get target(): SimulatedTarget {
    const base = `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
    const hasState = SIM_STATE_ENDPOINTS[this.nf].length > 0;
    return {
      nf: this.nf,
      name: this.name,
      metricsUrl: `${base}/metrics`,
      ...(hasState ? { stateUrl: base } : {}),
      simulated: true,
    };
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  restart(): void {
    this.sync();
    this.baseline = snapshotCounters(this.world.counters);
    if (this.nf === 'upf') this.world.dropUpfSessions(1, this.name);
  }

  respondWith(status: number | null): void {
    if (status !== null && !(Number.isInteger(status) && status >= 100 && status <= 599))
      throw new RangeError('not an HTTP status');
    this.forcedStatus = status;
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (res.destroyed) return;
    this.sync();
    const [status, type, body] = this.answer(req);
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  }

  /** Mirrors lib/metrics/prometheus/context.c: GET only, `/` is a health check, unknown paths are 400. */
  private answer(req: IncomingMessage): [number, string, string] {
    const text = 'text/plain; charset=utf-8';
    if (this.forcedStatus !== null)
      return [this.forcedStatus, text, `${STATUS_CODES[this.forcedStatus] ?? 'Error'}\n`];
    if (req.method !== 'GET') return [400, text, 'Invalid HTTP Method\n'];
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/') return [200, text, 'OK\n'];
    if (url.pathname === '/metrics') {
      const counters = countersSince(this.world.counters, this.baseline);
      return [
        200,
        'text/plain; version=0.0.4; charset=utf-8',
        nfMetricsPage(this.nf, this.world, counters, this.name),
      ];
    }
    const endpoint = url.pathname.slice(1);
    if (!ALL_STATE_ENDPOINTS.has(endpoint)) return [400, text, 'Bad Request\n'];
    if (!SIM_STATE_ENDPOINTS[this.nf].includes(endpoint as SimStateEndpoint))
      return [404, text, `${endpoint} endpoint not available on this NF\n`];
    return [
      200,
      'application/json',
      statePage(endpoint as SimStateEndpoint, this.nf, this.world, url.searchParams),
    ];
  }
}
