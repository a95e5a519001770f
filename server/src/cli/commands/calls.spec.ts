import { describe, expect, it } from 'vitest';
import { callLine, turnServerLine } from './calls.js';

const person = (userId: string, username: string | null, displayName: string | null) => ({
  userId,
  username,
  displayName,
});

describe('pakawaaz calls history lines', () => {
  it('names people (the id only when the directory does not know them), outcome, duration and host', () => {
    const line = callLine({
      startedAt: '2026-12-05T10:00:00.000Z',
      kind: 'video',
      outcome: 'answered',
      endReason: 'everyone_left',
      durationSeconds: 723,
      participants: 2,
      rang: 2,
      mediaHost: 'embedded',
      caller: person('u-a', 'ayesha', 'Ayesha Siddiqui'),
      people: [person('u-a', 'ayesha', 'Ayesha Siddiqui'), person('u-b', null, null)],
    });
    expect(line).toBe(
      '2026-12-05 10:00:00  video  answered    12m03s  Ayesha Siddiqui (ayesha) → u-b  (2 joined, 2 rung, embedded)',
    );
  });

  it('shows a missed call without a duration, and strips terminal escapes from names', () => {
    const line = callLine({
      startedAt: '2026-12-05T10:00:00.000Z',
      kind: 'voice',
      outcome: 'missed',
      endReason: 'missed',
      durationSeconds: null,
      participants: 1,
      rang: 3,
      mediaHost: null,
      caller: person('u-e', 'eve', 'Eve\u001b[2J'),
      people: [],
    });
    expect(line).toMatch(/ missed +- {2}Eve\\x1b\[2J \(eve\)/);
    expect(line).not.toContain('\u001b');
    expect(line).toContain('→ -  (1 joined, 3 rung)');
  });
});

describe('pakawaaz calls status TURN lines', () => {
  it('escapes control characters the TURN server put in its reason (stored before they were stripped)', () => {
    const line = turnServerLine({
      server: 'turn.example.gov:3478',
      health: 'degraded',
      rttMs: 4,
      checkedAt: '2026-12-05T10:00:00.000Z',
      error: 'the first Allocate was answered with error 403 \u001b]0;owned\u0007',
    });
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(line).toBe(
      '  turn.example.gov:3478: degraded, 4 ms, checked 2026-12-05T10:00:00.000Z' +
        ' (the first Allocate was answered with error 403 \\x1b]0;owned\\x07)',
    );
  });
});
