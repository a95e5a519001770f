/**
 * Alarm rules of the network health monitor. Pure: one observation of one NF (a failed scrape, or the KPIs
 * of a successful one) and the rule state of that NF in; the next state and the raise/clear transitions out.
 * Every rule has hysteresis (consecutive-scrape counts, or a clear threshold below the raise threshold), so
 * a value hovering around a limit does not flap the alarm.
 */
import type { Kpis, NfType } from './open5gs-metrics.js';

export const ALARM_KINDS = [
  'nf_down',
  'registration_failure',
  'upf_sessions_drop',
  'no_gnb_connected',
  'no_enb_connected',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];
export type AlarmSeverity = 'critical' | 'major' | 'minor' | 'warning';

export type AlarmRulesConfig = {
  readonly nfDown: { readonly failuresToRaise: number; readonly successesToClear: number };
  readonly registrationFailure: {
    /** Scrapes whose registration counts are pooled (4 × 15 s = the last minute). */
    readonly windowScrapes: number;
    /** Fewer attempts than this in the window is too little traffic to judge. */
    readonly minRequests: number;
    readonly raiseAbove: number;
    readonly clearBelow: number;
  };
  readonly upfSessionsDrop: {
    /** Fraction of sessions lost between two scrapes that raises the alarm. */
    readonly dropRatio: number;
    /** Below this many sessions, swings are normal and ignored. */
    readonly minSessions: number;
    /** Cleared once sessions are back to this fraction of the level before the drop… */
    readonly recoverRatio: number;
    /** …or after this many scrapes: a drop is an event, and the new level has become the norm. */
    readonly maxActiveScrapes: number;
  };
  readonly noRan: { readonly scrapesToRaise: number; readonly scrapesToClear: number };
};

export const DEFAULT_ALARM_RULES: AlarmRulesConfig = {
  nfDown: { failuresToRaise: 3, successesToClear: 2 },
  registrationFailure: { windowScrapes: 4, minRequests: 20, raiseAbove: 0.2, clearBelow: 0.1 },
  upfSessionsDrop: { dropRatio: 0.3, minSessions: 10, recoverRatio: 0.85, maxActiveScrapes: 40 },
  noRan: { scrapesToRaise: 2, scrapesToClear: 1 },
};

/** What one scrape of one NF showed. `nf` is the target's unique name. */
export type Observation =
  | { readonly nf: string; readonly nfType: NfType; readonly ok: false; readonly error: string }
  | { readonly nf: string; readonly nfType: NfType; readonly ok: true; readonly kpis: Kpis };

export type AlarmTransition =
  | {
      readonly action: 'raise';
      readonly kind: AlarmKind;
      readonly nf: string;
      readonly severity: AlarmSeverity;
      readonly message: string;
      readonly details: Record<string, unknown>;
    }
  | {
      readonly action: 'clear';
      readonly kind: AlarmKind;
      readonly nf: string;
      readonly message: string;
      readonly details: Record<string, unknown>;
    };

/** Consecutive bad and good verdicts of one rule. */
type Streak = { readonly bad: number; readonly good: number };

/** Rule state of one NF; plain data, replaced (never mutated) on each observation. */
export type NfRuleState = {
  readonly active: ReadonlySet<AlarmKind>;
  readonly scrapes: Streak;
  readonly registrations: readonly { readonly requests: number; readonly successes: number }[];
  readonly lastUpfSessions: number | null;
  /** Session count before the drop that raised upf_sessions_drop, and scrapes since. */
  readonly upfBaseline: number | null;
  readonly upfActiveScrapes: number;
  readonly ran: Streak;
};

export const INITIAL_NF_RULE_STATE: NfRuleState = {
  active: new Set(),
  scrapes: { bad: 0, good: 0 },
  registrations: [],
  lastUpfSessions: null,
  upfBaseline: null,
  upfActiveScrapes: 0,
  ran: { bad: 0, good: 0 },
};

/** Rebuilds state from the alarms still open in the database, so a restarted monitor can clear them. */
export function restoreNfRuleState(open: readonly { kind: string; details: unknown }[]): NfRuleState {
  const kinds = open
    .map((a) => a.kind)
    .filter((k): k is AlarmKind => (ALARM_KINDS as readonly string[]).includes(k));
  const drop = open.find((a) => a.kind === 'upf_sessions_drop')?.details as
    { baseline?: unknown } | undefined;
  return {
    ...INITIAL_NF_RULE_STATE,
    active: new Set(kinds),
    upfBaseline: typeof drop?.baseline === 'number' ? drop.baseline : null,
  };
}

type Step = { state: NfRuleState; transitions: AlarmTransition[] };

export function evaluateAlarmRules(
  previous: NfRuleState,
  obs: Observation,
  config: AlarmRulesConfig = DEFAULT_ALARM_RULES,
): Step {
  const step: Step = { state: previous, transitions: [] };
  nfDownRule(step, obs, config.nfDown);
  // Without data the KPI rules keep their state; their alarms stay as they were.
  if (!obs.ok) return step;
  if (obs.nfType === 'amf') {
    registrationRule(step, obs.nf, obs.kpis, config.registrationFailure);
    noRanRule(step, obs.nf, 'no_gnb_connected', obs.kpis.gnbs_connected, config.noRan);
  }
  if (obs.nfType === 'mme')
    noRanRule(step, obs.nf, 'no_enb_connected', obs.kpis.enbs_connected, config.noRan);
  if (obs.nfType === 'upf') upfDropRule(step, obs.nf, obs.kpis.upf_sessions, config.upfSessionsDrop);
  return step;
}

function nfDownRule(step: Step, obs: Observation, rule: AlarmRulesConfig['nfDown']): void {
  const scrapes = streak(step.state.scrapes, obs.ok ? 'good' : 'bad');
  step.state = { ...step.state, scrapes };
  const label = `${obs.nfType.toUpperCase()} ${obs.nf}`;
  if (!obs.ok && scrapes.bad >= rule.failuresToRaise)
    raise(
      step,
      obs.nf,
      'nf_down',
      'critical',
      `${label} is not answering (${scrapes.bad} failed scrapes in a row): ${obs.error}`,
      {
        consecutiveFailures: scrapes.bad,
        lastError: obs.error,
      },
    );
  if (obs.ok && scrapes.good >= rule.successesToClear)
    clear(step, obs.nf, 'nf_down', `${label} answers again`, { consecutiveSuccesses: scrapes.good });
}

function registrationRule(
  step: Step,
  nf: string,
  kpis: Kpis,
  rule: AlarmRulesConfig['registrationFailure'],
): void {
  const { registration_requests: requests, registration_successes: successes } = kpis;
  // The first scrape (no deltas yet) adds nothing to the window.
  if (requests === undefined || successes === undefined) return;
  const window = [...step.state.registrations, { requests, successes }].slice(-rule.windowScrapes);
  step.state = { ...step.state, registrations: window };
  const total = window.reduce((n, w) => n + w.requests, 0);
  const failureRatio = total > 0 ? Math.max(0, 1 - window.reduce((n, w) => n + w.successes, 0) / total) : 0;
  const details = { failureRatio: round(failureRatio), requests: total, windowScrapes: window.length };
  // No attempts at all means nothing is failing; a handful is too little to judge either way.
  if (total > 0 && total < rule.minRequests) return;
  if (failureRatio > rule.raiseAbove)
    raise(
      step,
      nf,
      'registration_failure',
      'major',
      `${percent(failureRatio)} of initial registrations at AMF ${nf} failed over the last ${window.length} scrapes (threshold ${percent(rule.raiseAbove)})`,
      { ...details, threshold: rule.raiseAbove },
    );
  else if (failureRatio < rule.clearBelow)
    clear(
      step,
      nf,
      'registration_failure',
      `Registration failures at AMF ${nf} are back to ${percent(failureRatio)}`,
      details,
    );
}

function upfDropRule(
  step: Step,
  nf: string,
  sessions: number | undefined,
  rule: AlarmRulesConfig['upfSessionsDrop'],
): void {
  if (sessions === undefined) return;
  const { lastUpfSessions: before, upfBaseline: baseline } = step.state;
  step.state = { ...step.state, lastUpfSessions: sessions };
  if (step.state.active.has('upf_sessions_drop')) {
    const scrapes = step.state.upfActiveScrapes + 1;
    step.state = { ...step.state, upfActiveScrapes: scrapes };
    const recovered = baseline !== null && sessions >= baseline * rule.recoverRatio;
    if (recovered || scrapes >= rule.maxActiveScrapes)
      clear(
        step,
        nf,
        'upf_sessions_drop',
        recovered
          ? `UPF ${nf} sessions recovered to ${sessions}`
          : `UPF ${nf} sessions stable at ${sessions} since the drop`,
        { sessions, baseline, scrapesSinceDrop: scrapes },
      );
    return;
  }
  if (before === null || before < rule.minSessions || (before - sessions) / before <= rule.dropRatio) return;
  step.state = { ...step.state, upfBaseline: before, upfActiveScrapes: 0 };
  raise(
    step,
    nf,
    'upf_sessions_drop',
    'major',
    `UPF ${nf} sessions dropped by ${percent((before - sessions) / before)} between two scrapes (${before} → ${sessions})`,
    { baseline: before, sessions, dropRatio: round((before - sessions) / before) },
  );
}

function noRanRule(
  step: Step,
  nf: string,
  kind: 'no_gnb_connected' | 'no_enb_connected',
  connected: number | undefined,
  rule: AlarmRulesConfig['noRan'],
): void {
  if (connected === undefined) return;
  const ran = streak(step.state.ran, connected < 1 ? 'bad' : 'good');
  step.state = { ...step.state, ran };
  const [node, host] = kind === 'no_gnb_connected' ? ['gNB', 'AMF'] : ['eNB', 'MME'];
  if (ran.bad >= rule.scrapesToRaise)
    raise(
      step,
      nf,
      kind,
      'critical',
      `No ${node} is connected to ${host} ${nf}: no radio service through it`,
      {
        connected,
        consecutiveScrapes: ran.bad,
      },
    );
  if (ran.good >= rule.scrapesToClear)
    clear(step, nf, kind, `${connected} ${node}(s) connected to ${host} ${nf}`, { connected });
}

function streak(s: Streak, verdict: 'bad' | 'good'): Streak {
  return verdict === 'bad' ? { bad: s.bad + 1, good: 0 } : { bad: 0, good: s.good + 1 };
}

function raise(
  step: Step,
  nf: string,
  kind: AlarmKind,
  severity: AlarmSeverity,
  message: string,
  details: Record<string, unknown>,
): void {
  if (step.state.active.has(kind)) return;
  step.state = { ...step.state, active: new Set([...step.state.active, kind]) };
  step.transitions.push({ action: 'raise', kind, nf, severity, message, details });
}

function clear(
  step: Step,
  nf: string,
  kind: AlarmKind,
  message: string,
  details: Record<string, unknown>,
): void {
  if (!step.state.active.has(kind)) return;
  const active = new Set(step.state.active);
  active.delete(kind);
  step.state = {
    ...step.state,
    active,
    ...(kind === 'upf_sessions_drop' ? { upfBaseline: null, upfActiveScrapes: 0 } : {}),
  };
  step.transitions.push({ action: 'clear', kind, nf, message, details });
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
const percent = (x: number): string => `${(x * 100).toFixed(1)}%`;
