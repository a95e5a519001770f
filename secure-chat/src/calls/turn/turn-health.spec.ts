import { describe, expect, it } from 'vitest';
import { alarmOf, bestProbe, nextTurnHealth, turnTargets } from './turn-health.js';

describe('TURN health', () => {
  it('probes each host:port of the turn: URLs once (RFC 7065, 3478 by default), not turns:', () => {
    const { targets, unprobed } = turnTargets([
      'turn:turn1.example:3478?transport=udp',
      'turn:turn1.example:3478?transport=tcp',
      'turn:turn2.example',
      'turn:[2001:db8::1]:3479',
      'turns:turn1.example:5349?transport=tcp',
      'turn:bad.example:99999',
    ]);
    expect(targets).toEqual([
      {
        server: 'turn1.example:3478',
        host: 'turn1.example',
        port: 3478,
        urls: ['turn:turn1.example:3478?transport=udp', 'turn:turn1.example:3478?transport=tcp'],
      },
      { server: 'turn2.example:3478', host: 'turn2.example', port: 3478, urls: ['turn:turn2.example'] },
      {
        server: '[2001:db8::1]:3479',
        host: '2001:db8::1',
        port: 3479,
        urls: ['turn:[2001:db8::1]:3479'],
      },
    ]);
    expect(unprobed).toEqual(['turns:turn1.example:5349?transport=tcp', 'turn:bad.example:99999']);
  });

  it('takes two bad probes in a row to leave up, one good probe to come back', () => {
    expect(nextTurnHealth('up', 0, 'down', 2)).toEqual({ health: 'up', failures: 1 });
    expect(nextTurnHealth('up', 1, 'down', 2)).toEqual({ health: 'down', failures: 2 });
    expect(nextTurnHealth('up', 1, 'degraded', 2)).toEqual({ health: 'degraded', failures: 2 });
    expect(nextTurnHealth('down', 5, 'up', 2)).toEqual({ health: 'up', failures: 0 });
    expect(nextTurnHealth('unknown', 0, 'down', 2)).toEqual({ health: 'unknown', failures: 1 });
  });

  it('raises the alarm when a server becomes unusable and clears it when it is up again', () => {
    expect(alarmOf('up', 'down')).toBe('raised');
    expect(alarmOf('unknown', 'degraded')).toBe('raised');
    expect(alarmOf('degraded', 'down')).toBe('raised');
    expect(alarmOf('down', 'up')).toBe('cleared');
    expect(alarmOf('degraded', 'up')).toBe('cleared');
    expect(alarmOf('unknown', 'up')).toBeNull();
    expect(alarmOf('down', 'down')).toBeNull();
  });

  it('takes the healthiest of the addresses of a name and says which address a bad verdict is about', () => {
    const down = { health: 'down' as const, rttMs: null, error: 'no STUN answer' };
    const up = { health: 'up' as const, rttMs: 3, error: null };
    expect(
      bestProbe('turn.example', [
        { address: '2001:db8::1', result: down },
        { address: '192.0.2.1', result: up },
      ]),
    ).toEqual(up);
    expect(bestProbe('turn.example', [{ address: '2001:db8::1', result: down }]).error).toBe(
      '2001:db8::1: no STUN answer',
    );
    expect(bestProbe('192.0.2.1', [{ address: '192.0.2.1', result: down }])).toEqual(down);
    expect(bestProbe('turn.example', []).health).toBe('down');
  });
});
