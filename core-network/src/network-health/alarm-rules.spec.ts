import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALARM_RULES,
  INITIAL_NF_RULE_STATE,
  evaluateAlarmRules,
  restoreNfRuleState,
  type AlarmTransition,
  type NfRuleState,
  type Observation,
} from './alarm-rules.js';
import type { Kpis, NfType } from './open5gs-metrics.js';

const up = (nfType: NfType, kpis: Kpis, nf = `${nfType}-1`): Observation => ({ nf, nfType, ok: true, kpis });
const down = (nfType: NfType, error = 'ECONNREFUSED', nf = `${nfType}-1`): Observation => ({
  nf,
  nfType,
  ok: false,
  error,
});

/** Feeds observations in order; returns the transitions of each step as "raise:kind" / "clear:kind". */
function run(observations: Observation[], state: NfRuleState = INITIAL_NF_RULE_STATE) {
  const steps: string[][] = [];
  const all: AlarmTransition[] = [];
  for (const obs of observations) {
    const r = evaluateAlarmRules(state, obs);
    state = r.state;
    steps.push(r.transitions.map((t) => `${t.action}:${t.kind}`));
    all.push(...r.transitions);
  }
  return { steps, all, state };
}

describe('nf_down', () => {
  it('raises after N failed scrapes in a row, once, and clears after M good ones', () => {
    const { steps, all } = run([
      down('smf'),
      down('smf'),
      down('smf', 'timeout after 3000 ms'),
      down('smf'),
      up('smf', {}),
      up('smf', {}),
      up('smf', {}),
    ]);
    expect(steps).toEqual([[], [], ['raise:nf_down'], [], [], ['clear:nf_down'], []]);
    expect(all[0]).toMatchObject({
      severity: 'critical',
      nf: 'smf-1',
      message: 'SMF smf-1 is not answering (3 failed scrapes in a row): timeout after 3000 ms',
      details: { consecutiveFailures: 3, lastError: 'timeout after 3000 ms' },
    });
  });

  it('does not flap: a single good scrape between failures neither clears nor resets the alarm', () => {
    const { steps } = run([down('upf'), down('upf'), down('upf'), up('upf', {}), down('upf'), down('upf')]);
    expect(steps.flat()).toEqual(['raise:nf_down']);
  });

  it('never raises for isolated failures', () => {
    const { steps } = run([down('amf'), down('amf'), up('amf', {}), down('amf'), down('amf'), up('amf', {})]);
    expect(steps.flat()).toEqual([]);
  });
});

describe('registration_failure', () => {
  const amf = (requests: number, successes: number) =>
    up('amf', { registration_requests: requests, registration_successes: successes, gnbs_connected: 1 });

  it('raises when the pooled failure ratio exceeds the threshold and clears only below the lower one', () => {
    const { steps, all } = run([
      amf(50, 49),
      amf(50, 30), // window 100/79 → 21 % > 20 %
      amf(50, 45), // 150/124 → 17 %: between thresholds, stays raised
      amf(50, 50),
      amf(50, 50), // window of 4: 200/175 → 12.5 %, still held
      amf(50, 50), // 200/195 → 2.5 % < 10 %
    ]);
    expect(steps).toEqual([[], ['raise:registration_failure'], [], [], [], ['clear:registration_failure']]);
    expect(all[0]).toMatchObject({
      severity: 'major',
      message: '21.0% of initial registrations at AMF amf-1 failed over the last 2 scrapes (threshold 20.0%)',
      details: { failureRatio: 0.21, requests: 100, windowScrapes: 2, threshold: 0.2 },
    });
  });

  it('does not judge a window with too few attempts', () => {
    expect(run([amf(5, 0), amf(5, 0), amf(5, 0)]).steps.flat()).toEqual([]);
  });

  it('clears when registrations stop altogether', () => {
    const { steps } = run([amf(40, 0), amf(0, 0), amf(0, 0), amf(0, 0), amf(0, 0)]);
    expect(steps.flat()).toEqual(['raise:registration_failure', 'clear:registration_failure']);
  });

  it('ignores the first scrape, which has no deltas', () => {
    expect(run([up('amf', { gnbs_connected: 1 }), amf(100, 100)]).state.registrations).toEqual([
      { requests: 100, successes: 100 },
    ]);
  });
});

describe('upf_sessions_drop', () => {
  const upf = (sessions: number) => up('upf', { upf_sessions: sessions });

  it('raises on a drop of more than X % between scrapes and clears when sessions recover', () => {
    const { steps, all } = run([upf(100), upf(98), upf(40), upf(60), upf(80), upf(90)]);
    expect(steps).toEqual([[], [], ['raise:upf_sessions_drop'], [], [], ['clear:upf_sessions_drop']]);
    expect(all[0]).toMatchObject({
      message: 'UPF upf-1 sessions dropped by 59.2% between two scrapes (98 → 40)',
      details: { baseline: 98, sessions: 40 },
    });
  });

  it('ignores small drops and small populations', () => {
    expect(run([upf(100), upf(75), upf(60)]).steps.flat()).toEqual([]);
    expect(run([upf(8), upf(0)]).steps.flat()).toEqual([]);
  });

  it('ages out when the lower level persists', () => {
    const obs = [upf(100), upf(10), ...Array.from({ length: 40 }, () => upf(10))];
    const { steps } = run(obs);
    expect(steps.flat()).toEqual(['raise:upf_sessions_drop', 'clear:upf_sessions_drop']);
    expect(steps.findIndex((s) => s.includes('clear:upf_sessions_drop'))).toBe(41);
  });

  it('notices sessions lost while the UPF was unreachable (restart)', () => {
    const { steps } = run([upf(200), down('upf'), upf(0)]);
    expect(steps.flat()).toEqual(['raise:upf_sessions_drop']);
  });
});

describe('no_gnb_connected / no_enb_connected', () => {
  it('raises after two scrapes without a gNB and clears on the first with one', () => {
    const gnbs = (n: number) => up('amf', { gnbs_connected: n });
    const { steps, all } = run([gnbs(2), gnbs(0), gnbs(0), gnbs(0), gnbs(1)]);
    expect(steps).toEqual([[], [], ['raise:no_gnb_connected'], [], ['clear:no_gnb_connected']]);
    expect(all[0]?.message).toBe('No gNB is connected to AMF amf-1: no radio service through it');
  });

  it('does the same for eNBs at an MME', () => {
    const enbs = (n: number) => up('mme', { enbs_connected: n });
    expect(run([enbs(0), enbs(0), enbs(3)]).steps.flat()).toEqual([
      'raise:no_enb_connected',
      'clear:no_enb_connected',
    ]);
  });

  it('keeps the alarm while the AMF itself is unreachable', () => {
    const gnbs = (n: number) => up('amf', { gnbs_connected: n });
    const { steps } = run([gnbs(0), gnbs(0), down('amf'), down('amf'), gnbs(0)]);
    expect(steps.flat()).toEqual(['raise:no_gnb_connected']);
  });
});

describe('restoreNfRuleState', () => {
  it('lets a restarted monitor clear alarms it did not raise itself, without raising duplicates', () => {
    const restored = restoreNfRuleState([
      { kind: 'nf_down', details: {} },
      { kind: 'upf_sessions_drop', details: { baseline: 100 } },
      { kind: 'not_a_rule', details: {} },
    ]);
    expect([...restored.active].sort()).toEqual(['nf_down', 'upf_sessions_drop']);
    const upf = (sessions: number) => up('upf', { upf_sessions: sessions });
    expect(run([down('upf'), down('upf'), down('upf')], restored).steps.flat()).toEqual([]);
    expect(run([upf(90), upf(91)], restored).steps.flat()).toEqual([
      'clear:upf_sessions_drop',
      'clear:nf_down',
    ]);
  });

  it('uses the defaults documented in DEFAULT_ALARM_RULES', () => {
    expect(DEFAULT_ALARM_RULES.nfDown).toEqual({ failuresToRaise: 3, successesToClear: 2 });
  });
});
