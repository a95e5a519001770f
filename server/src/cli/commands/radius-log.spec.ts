import { describe, expect, it } from 'vitest';
import { formatEvents, formatStatus, sinceTime, type AuthEventLine } from './radius-log.js';

const event = (over: Partial<AuthEventLine>): AuthEventLine => ({
  at: '2026-12-04T01:00:00.000Z',
  channel: 'radius',
  result: 'reject',
  reason: 'wrong_password',
  reasonText: 'wrong password',
  method: 'pap',
  username: 'ayesha',
  imsi: null,
  clientName: 'campus-wlc',
  source: '10.0.0.5',
  count: 1,
  ...over,
});

describe('radius log output', () => {
  it('says who, through which NAS, how, and why', () => {
    const out = formatEvents([
      event({}),
      event({
        result: 'drop',
        reason: 'unknown_nas',
        reasonText: 'unknown NAS',
        clientName: null,
        username: null,
        method: null,
        source: '192.0.2.9',
        count: 40,
      }),
    ]);
    const [reject, drop] = out.trimEnd().split('\n');
    expect(reject).toMatch(/reject\s+campus-wlc\s+pap\s+ayesha\s+— wrong password$/);
    expect(drop).toMatch(/drop\s+unknown NAS 192\.0\.2\.9\s+-\s+-\s+— unknown NAS \(×40\)$/);
    expect(formatEvents([])).toBe('no matching sign-in events\n');
  });

  it('prints control characters and bidi overrides as escapes, never raw to the terminal', () => {
    const out = formatEvents([
      event({ username: 'ay\u001b]0;owned\u0007\u001b[2J', clientName: 'wlc\u009b31m', source: 'x\u202e' }),
    ]);
    expect(out).toContain('ay\\x1b]0;owned\\x07\\x1b[2J');
    expect(out).toContain('wlc\\x9b31m');
    // eslint-disable-next-line no-control-regex
    expect(out.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('reads durations back from now and passes anything else on', () => {
    const now = Date.parse('2026-12-04T02:00:00Z');
    expect(sinceTime('15m', now)).toBe('2026-12-04T01:45:00.000Z');
    expect(sinceTime('2d', now)).toBe('2026-12-02T02:00:00.000Z');
    expect(sinceTime('2026-12-01', now)).toBe('2026-12-01');
  });
});

describe('radius status output', () => {
  it('names the ports, the counters and only the drops that happened', () => {
    const out = formatStatus({
      listening: true,
      authPort: 1812,
      acctPort: 1813,
      stats: { received: 10, accepted: 4, rejected: 3, dropped: { unknown_client: 2, too_short: 0 } },
      log: { queued: 0, written: 9, lost: 0, writeFailures: 0 },
    });
    expect(out).toContain('listening on UDP 1812 (authentication) and 1813 (accounting)');
    expect(out).toContain('10 received: 4 accepted, 3 rejected');
    expect(out).toContain('dropped    unknown_client 2\n');
    expect(out).not.toContain('too_short');
    expect(out).toContain('auth log   9 written, 0 queued, 0 lost');
  });

  it('says when the node does not serve RADIUS', () => {
    const out = formatStatus({
      listening: false,
      authPort: null,
      acctPort: null,
      stats: null,
      log: { queued: 0, written: 0, lost: 0, writeFailures: 0 },
    });
    expect(out).toMatch(/not listening/);
  });
});
