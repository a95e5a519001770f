/**
 * The simulated mobile network behind the NF simulator: a population of UEs that register, connect and
 * hold PDU sessions, gNBs/eNBs, UPFs carrying N3 traffic, and the cumulative counters Open5GS would show.
 * It advances in fixed steps drawn from one seeded PRNG, so a seed and a sequence of steps (and faults)
 * always produce the same numbers. Rendering never draws from the PRNG: scraping does not change the run.
 */
import { createRng, type Rng } from './prng.js';

export type SimSlice = { readonly sst: number; readonly sd: string };

export type SimWorldConfig = {
  readonly seed: number;
  /** MCC+MNC as Open5GS prints it (`00101`). */
  readonly plmn: string;
  readonly slices: readonly SimSlice[];
  readonly dnn: string;
  /** UEs that want to be registered; the registered count drifts around this. */
  readonly subscribers: number;
  readonly registrationsPerSecond: number;
  readonly registrationFailureRate: number;
  readonly authRejectRate: number;
  readonly sessionsPerUe: number;
  readonly packetsPerSessionPerSecond: number;
  readonly gnbs: number;
  readonly enbs: number;
  /** Names of the simulated UPFs, which share the sessions evenly. */
  readonly upfs: readonly string[];
  readonly stepMs: number;
};

export const DEFAULT_SIM_WORLD: Omit<SimWorldConfig, 'upfs'> = {
  seed: 1,
  plmn: '00101',
  slices: [{ sst: 1, sd: '000001' }],
  dnn: 'internet',
  subscribers: 200,
  registrationsPerSecond: 2,
  registrationFailureRate: 0.02,
  authRejectRate: 0.005,
  sessionsPerUe: 1.1,
  packetsPerSessionPerSecond: 20,
  gnbs: 3,
  enbs: 2,
  stepMs: 1_000,
};

/** 5GMM causes a failed initial registration is counted under (TS 24.501 §9.11.3.2). */
const REGISTRATION_FAILURE_CAUSES = ['7', '11', '15', '62'] as const;

/** Cumulative counters, as an Open5GS process that never restarted would show them. */
export type SimCounters = {
  regInitReq: number;
  regInitSucc: number;
  regInitFail: Record<string, number>;
  authReq: number;
  authReject: number;
  pduReq: number;
  pduSucc: number;
  pduFail: Record<string, number>;
  n4EstabReq: number;
  n3In: Record<string, number>;
  n3Out: Record<string, number>;
};

export class SimWorld {
  step = 0;
  registered: number;
  connectedRatio = 0.6;
  sessions: number;
  registrationFailureRate: number;
  readonly counters: SimCounters;
  /** Fraction of each UPF's share of sessions lost and not yet re-established. */
  readonly upfDeficit = new Map<string, number>();
  /** Connected flag per gNB / eNB index; indexes stay once seen, as Open5GS keeps the series at 0. */
  gnbUp: boolean[];
  enbUp: boolean[];
  private readonly rng: Rng;

  constructor(readonly config: SimWorldConfig) {
    this.rng = createRng(config.seed);
    this.registrationFailureRate = config.registrationFailureRate;
    this.registered = Math.round(config.subscribers * (1 - config.registrationFailureRate));
    this.sessions = Math.round(this.registered * config.sessionsPerUe);
    this.gnbUp = Array.from({ length: config.gnbs }, () => true);
    this.enbUp = Array.from({ length: config.enbs }, () => true);
    const perUpf = (): Record<string, number> => Object.fromEntries(config.upfs.map((u) => [u, 0]));
    this.counters = {
      ...{ regInitReq: 0, regInitSucc: 0, regInitFail: {}, authReq: 0, authReject: 0 },
      ...{ pduReq: 0, pduSucc: 0, pduFail: {}, n4EstabReq: 0, n3In: perUpf(), n3Out: perUpf() },
    };
    for (const u of config.upfs) this.upfDeficit.set(u, 0);
  }

  /** Runs the steps up to `step`; at most `maxSteps` at once, so a clock jump cannot stall a request. */
  advanceTo(step: number, maxSteps = 86_400): void {
    const target = Math.min(step, this.step + maxSteps);
    while (this.step < target) {
      this.tick();
      this.step++;
    }
    if (step > this.step) this.step = step;
  }

  ranUp(): boolean {
    return this.gnbUp.some(Boolean) || this.enbUp.some(Boolean);
  }

  /** UEs in CM-CONNECTED through gNBs (the AMF's ran_ue) or eNBs: none without a radio node. */
  connectedUes(via: 'gnb' | 'enb' = 'gnb'): number {
    const up = (via === 'gnb' ? this.gnbUp : this.enbUp).some(Boolean);
    return up ? Math.round(this.registered * this.connectedRatio) : 0;
  }

  upfSessions(name: string): number {
    const share = this.sessions / Math.max(1, this.config.upfs.length);
    return Math.round(share * (1 - (this.upfDeficit.get(name) ?? 0)));
  }

  dropUpfSessions(fraction: number, name?: string): void {
    for (const u of name === undefined ? this.config.upfs : [name]) {
      const left = 1 - (this.upfDeficit.get(u) ?? 0);
      this.upfDeficit.set(u, 1 - left * (1 - clamp01(fraction)));
    }
  }

  setRanCount(kind: 'gnb' | 'enb', count: number): void {
    const current = kind === 'gnb' ? this.gnbUp : this.enbUp;
    const next = Array.from({ length: Math.max(current.length, count) }, (_, i) => i < count);
    if (kind === 'gnb') this.gnbUp = next;
    else this.enbUp = next;
  }

  private tick(): void {
    const seconds = this.config.stepMs / 1000;
    const ok = this.registrations(seconds);
    this.drift();
    this.pduSessions(seconds, ok);
    this.userPlane(seconds);
  }

  /** Initial registrations; returns how many succeeded. Deregistrations keep the population near its size. */
  private registrations(seconds: number): number {
    const { rng, config, counters } = this;
    const rate = config.registrationsPerSecond * seconds;
    const attempts = this.ranUp() ? rng.poisson(rate) : 0;
    const failed = rng.binomial(attempts, this.registrationFailureRate);
    for (let i = 0; i < failed; i++) {
      const cause =
        REGISTRATION_FAILURE_CAUSES[Math.floor(rng.next() * REGISTRATION_FAILURE_CAUSES.length)] ?? '7';
      counters.regInitFail[cause] = (counters.regInitFail[cause] ?? 0) + 1;
    }
    counters.regInitReq += attempts;
    counters.regInitSucc += attempts - failed;
    counters.authReq += attempts + rng.poisson(rate * 0.1);
    counters.authReject += rng.binomial(attempts, config.authRejectRate);
    const deregistered = rng.poisson((rate * this.registered) / Math.max(1, config.subscribers));
    this.registered = Math.min(
      config.subscribers,
      Math.max(0, this.registered + attempts - failed - deregistered),
    );
    return attempts - failed;
  }

  /** The share of registered UEs in CM-CONNECTED wanders around 60 %. */
  private drift(): void {
    const r = this.connectedRatio + 0.05 * (0.6 - this.connectedRatio) + 0.02 * this.rng.normal();
    this.connectedRatio = Math.min(0.9, Math.max(0.3, r));
  }

  private pduSessions(seconds: number, registeredNow: number): void {
    const { rng, config, counters } = this;
    const requests =
      registeredNow + rng.poisson(config.registrationsPerSecond * seconds * (config.sessionsPerUe - 1));
    const failed = rng.binomial(requests, 0.01);
    if (failed > 0) counters.pduFail['26'] = (counters.pduFail['26'] ?? 0) + failed;
    counters.pduReq += requests;
    counters.pduSucc += requests - failed;
    counters.n4EstabReq += requests - failed;
    const target = Math.max(1, this.registered * config.sessionsPerUe);
    const released = rng.poisson(((requests - failed) * this.sessions) / target);
    this.sessions = Math.max(
      0,
      Math.min(Math.round(target * 1.5), this.sessions + requests - failed - released),
    );
  }

  /** N3 packets per UPF, and UEs re-establishing lost sessions (the deficit decays by 5 % a step). */
  private userPlane(seconds: number): void {
    const { rng, config, counters } = this;
    for (const u of config.upfs) {
      this.upfDeficit.set(u, (this.upfDeficit.get(u) ?? 0) * 0.95);
      const mean = this.upfSessions(u) * this.connectedRatio * config.packetsPerSessionPerSecond * seconds;
      counters.n3In[u] = (counters.n3In[u] ?? 0) + rng.poisson(mean);
      counters.n3Out[u] = (counters.n3Out[u] ?? 0) + rng.poisson(mean * 1.6);
    }
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
