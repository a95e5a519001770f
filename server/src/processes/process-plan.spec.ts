import { describe, expect, it } from 'vitest';
import {
  FOLLOWER_SETTINGS,
  nextDeaths,
  parseProcessMessage,
  processEnv,
  processRole,
  pushBatches,
  restartDelay,
} from './process-plan.js';

describe('processEnv', () => {
  it('gives the lead only its index: it runs RADIUS, the MQTT broker, Janus and the demo fleet', () => {
    expect(processEnv(0)).toEqual({ PAKAWAAZ_PROCESS_INDEX: '0' });
  });

  it("turns off a follower's one-of-a-kind listeners and jobs", () => {
    expect(processEnv(2)).toEqual({
      PAKAWAAZ_PROCESS_INDEX: '2',
      RADIUS_ENABLED: 'false',
      PAKAWAAZ_JANUS: 'off',
      PAKAWAAZ_DEMO_FLEET: 'false',
      OPEN5GS_MONITOR: 'off',
    });
    // Its push goes to the lead's broker (PUSH_RELAY), so the broker's port setting is left as it is.
    expect(Object.keys(FOLLOWER_SETTINGS)).not.toContain('PAKAWAAZ_MQTT_PORT');
  });
});

describe('processRole', () => {
  it('is single outside the cluster module, without an index, or with one process', () => {
    expect(processRole(false, 0, 2)).toEqual({ kind: 'single' });
    expect(processRole(true, undefined, 2)).toEqual({ kind: 'single' });
    expect(processRole(true, 0, 1)).toEqual({ kind: 'single' });
  });

  it('is the lead at index 0 and a follower above', () => {
    expect(processRole(true, 0, 3)).toEqual({ kind: 'lead', index: 0, count: 3 });
    expect(processRole(true, 2, 3)).toEqual({ kind: 'follower', index: 2, count: 3 });
  });
});

describe('parseProcessMessage', () => {
  it('accepts each kind', () => {
    for (const m of [
      { pakawaaz: 'ready', index: 1 },
      { pakawaaz: 'push', deviceIds: ['a', 'b'] },
      { pakawaaz: 'ask', id: 3, key: 'identity.radius.status', to: 'lead' },
      { pakawaaz: 'ask', id: 4, key: 'platform.metrics', to: 'all' },
      { pakawaaz: 'asked', id: 0, key: 'platform.metrics' },
      { pakawaaz: 'answer', id: 0, ok: true, value: { listening: true } },
      { pakawaaz: 'answer', id: 0, ok: false },
      { pakawaaz: 'answers', id: 3, values: [1, 2] },
      { pakawaaz: 'answers', id: 3, values: null },
    ])
      expect(parseProcessMessage(m)).toEqual(m);
  });

  it("ignores anything else, prom-client's own messages included", () => {
    for (const m of [
      null,
      'ready',
      { type: 'prom-client:getMetricsReq', requestId: 1 },
      { pakawaaz: 'ready', index: '1' },
      { pakawaaz: 'ready', index: -1 },
      { pakawaaz: 'push', deviceIds: 'a' },
      { pakawaaz: 'push', deviceIds: [1] },
      { pakawaaz: 'push', deviceIds: Array.from({ length: 10_001 }, () => 'd') },
      { pakawaaz: 'ask', id: 1, key: 'Bad Key', to: 'lead' },
      { pakawaaz: 'ask', id: 1, key: 'x'.repeat(101), to: 'lead' },
      { pakawaaz: 'ask', id: 1, key: 'identity.radius.status', to: 'everyone' },
      { pakawaaz: 'answer', id: 1, ok: 'yes' },
      { pakawaaz: 'answers', id: 1, values: 'none' },
      { pakawaaz: 'shutdown' },
    ])
      expect(parseProcessMessage(m)).toBeNull();
  });

  it('splits a large push into messages the other side accepts', () => {
    const ids = Array.from({ length: 25_000 }, (_, i) => `d${i}`);
    const batches = pushBatches(ids);
    expect(batches.map((b) => b.length)).toEqual([10_000, 10_000, 5_000]);
    expect(batches.flat()).toEqual(ids);
    for (const b of batches) expect(parseProcessMessage({ pakawaaz: 'push', deviceIds: b })).not.toBeNull();
  });
});

describe('restarting a process that died', () => {
  it('waits 1 s, doubling with each death in a row, up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(restartDelay)).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it('counts a death after a minute of running as the first again', () => {
    expect(nextDeaths(0, 500)).toBe(1);
    expect(nextDeaths(4, 59_999)).toBe(5);
    expect(nextDeaths(4, 60_000)).toBe(1);
  });
});
