import { describe, expect, it } from 'vitest';
import { SocketAcks } from './chat-acks.js';

describe('SocketAcks (one cumulative ack for the frames applied together)', () => {
  it('acknowledges at once when no other frame waits', () => {
    const a = new SocketAcks();
    a.received();
    expect(a.applied(5)).toBe(5);
    a.received();
    expect(a.applied(6)).toBe(6);
  });

  it('holds the ack while frames wait to be applied, then covers them all', () => {
    const a = new SocketAcks();
    for (let i = 0; i < 3; i++) a.received();
    expect(a.applied(1)).toBeNull();
    expect(a.applied(2)).toBeNull();
    expect(a.applied(3)).toBe(3);
  });

  it('acknowledges every `every` frames under a backlog that never drains', () => {
    const a = new SocketAcks(4);
    for (let i = 0; i < 10; i++) a.received();
    const sent = Array.from({ length: 9 }, (_, i) => a.applied(i + 1));
    expect(sent).toEqual([null, null, null, 4, null, null, null, 8, null]);
  });

  it('never acknowledges beyond what was saved, nor the same seq twice on a socket', () => {
    const a = new SocketAcks();
    a.received();
    expect(a.applied(7)).toBe(7);
    a.received(); // applied nothing new (a redelivered frame, or one that failed before its save)
    expect(a.applied(7)).toBeNull();
    a.sent(9); // a sync acknowledged up to 9
    a.received();
    expect(a.applied(8)).toBeNull();
    a.reset(); // a new socket
    a.received();
    expect(a.applied(9)).toBe(9);
  });
});
