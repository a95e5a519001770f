import { describe, expect, it } from 'vitest';
import { callsDisabledDetail, nextHealth, placeRoom, type HostLoad } from './placement.js';

const host = (name: string, o: Partial<HostLoad> = {}): HostLoad => ({
  id: name,
  name,
  enabled: true,
  health: 'up',
  capacity: 10,
  rooms: 0,
  ...o,
});

describe('placeRoom', () => {
  it('takes the healthy host with the most free rooms, ties by name', () => {
    expect(placeRoom([host('b', { rooms: 2 }), host('a', { rooms: 5 }), host('c', { rooms: 2 })])?.name).toBe(
      'b',
    );
    expect(placeRoom([host('b'), host('a')])?.name).toBe('a');
  });

  it('never places on a host that is down, unknown, disabled or full', () => {
    const hosts = [
      host('down', { health: 'down' }),
      host('unknown', { health: 'unknown' }),
      host('off', { enabled: false }),
      host('full', { rooms: 10 }),
      host('over', { capacity: 1, rooms: 3 }),
    ];
    expect(placeRoom(hosts)).toBeUndefined();
    expect(placeRoom([...hosts, host('spare', { capacity: 1 })])?.name).toBe('spare');
  });

  it('moves new calls away from a host once it is down', () => {
    const a = host('a');
    const b = host('b', { rooms: 4 });
    expect(placeRoom([a, b])?.name).toBe('a');
    expect(placeRoom([{ ...a, health: 'down' }, b])?.name).toBe('b');
  });
});

describe('nextHealth', () => {
  it('marks a host down after the threshold of failed probes in a row, up at the first success', () => {
    let s = { health: 'up' as HostLoad['health'], failures: 0 };
    s = nextHealth(s.health, s.failures, false, 2);
    expect(s).toEqual({ health: 'up', failures: 1 });
    s = nextHealth(s.health, s.failures, false, 2);
    expect(s).toEqual({ health: 'down', failures: 2 });
    expect(nextHealth(s.health, s.failures, true, 2)).toEqual({ health: 'up', failures: 0 });
    expect(nextHealth('unknown', 0, false, 2)).toEqual({ health: 'unknown', failures: 1 });
  });
});

describe('callsDisabledDetail (the public /healthz line)', () => {
  it("keeps a start failure's message (paths, Janus output) out and points at the log", () => {
    const d = callsDisabledDetail(0, {
      state: 'failed',
      detail: "EACCES: permission denied, open '/var/lib/pakawaaz/janus/janus.jcfg'",
    });
    expect(d).toBe('calls disabled: no media host (the embedded Janus did not start: see the server log)');
    expect(d).not.toContain('/var/lib');
  });

  it('says what to install when there is no janus, and counts hosts when there are some', () => {
    expect(
      callsDisabledDetail(0, { state: 'not_installed', detail: 'no janus binary (apt-get install janus)' }),
    ).toBe('calls disabled: no media host (no janus binary (apt-get install janus))');
    expect(callsDisabledDetail(2, { state: 'failed', detail: 'x' })).toBe(
      'calls disabled: none of 2 media hosts is up',
    );
    expect(callsDisabledDetail(0, undefined)).toBe('calls disabled: no media host');
  });
});
