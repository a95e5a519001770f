import { describe, expect, it } from 'vitest';
import type { PlatformConfig } from '@pakawaaz/platform';
import { loadCallsConfig } from './calls.config.js';

const platform = { dataDir: '/srv/pakawaaz' } as PlatformConfig;

describe('calls configuration', () => {
  it('defaults to the embedded Janus on free loopback ports, no TURN', () => {
    const c = loadCallsConfig({}, platform);
    expect(c).toMatchObject({
      janus: 'auto',
      janusBinary: 'janus',
      janusWsPort: 0,
      janusAdminPort: 0,
      janusDir: '/srv/pakawaaz/janus',
      secretsKeyFile: '/srv/pakawaaz/keys/calls-secrets.key',
      healthMs: 5000,
      maxStartedPerDevice: 2,
      idleMs: 120_000,
      ringMs: 45_000,
      turn: null,
    });
  });

  it('takes TURN URLs with the secret file, never one without the other', () => {
    const c = loadCallsConfig(
      {
        PAKAWAAZ_TURN_URLS: 'turn:turn1.example:3478?transport=udp, turns:turn1.example:5349?transport=tcp',
        PAKAWAAZ_TURN_SECRET_FILE: '/etc/pakawaaz/turn-secret',
      },
      platform,
    );
    // Ten minutes by default: a leaked credential relays for no longer than a call setup needs.
    expect(c.turn).toEqual({
      urls: ['turn:turn1.example:3478?transport=udp', 'turns:turn1.example:5349?transport=tcp'],
      secretFile: '/etc/pakawaaz/turn-secret',
      ttlSeconds: 600,
      probeMs: 30_000,
    });
    expect(() => loadCallsConfig({ PAKAWAAZ_TURN_URLS: 'turn:t.example:3478' }, platform)).toThrow(
      /goes together/,
    );
    expect(() => loadCallsConfig({ PAKAWAAZ_TURN_SECRET_FILE: '/x' }, platform)).toThrow(/goes together/);
  });

  it('refuses what is not a TURN URL, an unknown Janus mode and a bad port range', () => {
    expect(() =>
      loadCallsConfig({ PAKAWAAZ_TURN_URLS: 'https://x', PAKAWAAZ_TURN_SECRET_FILE: '/x' }, platform),
    ).toThrow(/PAKAWAAZ_TURN_URLS/);
    const host = (n: number) => `${'a'.repeat(n - 8)}.example`;
    const withHost = (n: number) => ({
      PAKAWAAZ_TURN_URLS: `turn:${host(n)}:3478`,
      PAKAWAAZ_TURN_SECRET_FILE: '/x',
    });
    expect(loadCallsConfig(withHost(253), platform).turn?.urls).toEqual([`turn:${host(253)}:3478`]);
    expect(() => loadCallsConfig(withHost(254), platform)).toThrow(/TURN host is at most 253 characters/);
    expect(() => loadCallsConfig({ PAKAWAAZ_JANUS: 'maybe' }, platform)).toThrow(/PAKAWAAZ_JANUS/);
    expect(() => loadCallsConfig({ PAKAWAAZ_JANUS_RTP_PORTS: '1-2' }, platform)).toThrow(
      /PAKAWAAZ_JANUS_RTP_PORTS/,
    );
  });
});
