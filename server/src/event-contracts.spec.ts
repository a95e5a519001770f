import { randomUUID } from 'node:crypto';
import { checkEventContracts, durableName } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { DOMAIN_DESCRIPTORS as ALL_DOMAINS } from './domains.js';

const consumers = ALL_DOMAINS.flatMap((d) => (d.events?.consumes ?? []).map((c) => ({ domain: d.name, c })));
const retired = ALL_DOMAINS.flatMap((d) => d.events?.retiredConsumers ?? []);

describe('event contracts of the composed system', () => {
  it("every consumer's schema accepts every example of its publisher; every event has one owner", () => {
    expect(checkEventContracts(ALL_DOMAINS)).toEqual([]);
  });

  it('covers the upward flows the domains rely on', () => {
    const expecting = (type: string) =>
      consumers.filter(({ c }) => c.expects.some((e) => e.type === type)).map(({ c }) => c.name);
    expect(expecting('identity.user.updated')).toEqual([
      'core-network.official-facts',
      'identity.token-memory',
    ]);
    expect(expecting('device-mgmt.device.lost')).toEqual([
      'core-network.device-barring',
      'secure-chat.device-removals',
      'secure-chat.call-kicks',
    ]);
    // Revocation is membership: chat removes revoked devices and a disabled official's.
    expect(expecting('device-mgmt.device.certificates-revoked')).toContain('secure-chat.device-removals');
    expect(expecting('identity.user.disabled')).toContain('secure-chat.official-status');
    // ...and kicks them from their live calls.
    expect(expecting('device-mgmt.device.certificates-revoked')).toContain('secure-chat.call-kicks');
    expect(expecting('identity.user.disabled')).toContain('secure-chat.call-kicks-officials');
    // A device an ordinary MLS Remove commit dropped leaves the group's live call.
    expect(expecting('secure-chat.group.members-dropped')).toEqual(['secure-chat.call-kicks-groups']);
    expect(expecting('identity.session.revoked')).toEqual(['identity.session-cache']);
    // A session bound to a desktop's DPoP key: every node's cache re-reads it (its unbound token: logout only).
    expect(expecting('identity.session.bound')).toEqual(['identity.session-cache']);
    // Handsets' OS updates feed hardened-os's rollouts (auto-halt), and a compromised boot key device-mgmt.
    expect(expecting('device-mgmt.device.os-update')).toEqual(['hardened-os.os-update-outcomes']);
    expect(expecting('hardened-os.boot-key.compromised')).toEqual(['device-mgmt.boot-key-compromised']);
    const deliveries = Object.fromEntries(consumers.map(({ c }) => [c.name, c.delivery]));
    expect(deliveries).toMatchObject({
      'identity.session-cache': 'broadcast',
      'identity.radius-clients': 'broadcast',
      'core-network.official-facts': 'durable',
      'hardened-os.os-update-outcomes': 'durable',
      // Hints to the nodes connected now (core NATS, never stored); a removal is kept for a node away.
      'secure-chat.socket-wakes': 'transient',
      'secure-chat.presence-answers': 'transient',
      'secure-chat.call-signals': 'transient',
      'secure-chat.socket-removals': 'broadcast',
    });
  });

  it('retires exactly the per-start durables of earlier versions', () => {
    const matches = (name: string) => retired.some((p) => name.search(p) !== -1);
    for (const old of [`identity-session-cache-${randomUUID()}`, `identity-radius-clients-${randomUUID()}`])
      expect([old, matches(old), matches(durableName(old))]).toEqual([old, true, true]);
    for (const live of [
      'identity-session-cache',
      `identity-session-cache-${randomUUID()}-x`,
      `x-identity-radius-clients-${randomUUID()}`,
      ...consumers.map(({ c }) => durableName(c.name)),
    ])
      expect([live, matches(live)]).toEqual([live, false]);
  });
});
