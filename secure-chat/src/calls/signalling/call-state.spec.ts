import { describe, expect, it } from 'vitest';
import { apply, invite, type Party, type RingState } from './call-state.js';

const a1: Party = { deviceId: 'a1', userId: 'A' };
const a2: Party = { deviceId: 'a2', userId: 'A' };
const b1: Party = { deviceId: 'b1', userId: 'B' };
const b2: Party = { deviceId: 'b2', userId: 'B' };
const c1: Party = { deviceId: 'c1', userId: 'C' };
const c2: Party = { deviceId: 'c2', userId: 'C' };
const d1: Party = { deviceId: 'd1', userId: 'D' };
const none = new Set<string>();
const states = (s: RingState) => Object.fromEntries(s.invitees.map((i) => [i.deviceId, i.state]));

describe('call signalling state machine', () => {
  it("rings every callee device, and shows the call on the caller's other devices", () => {
    const step = invite(a1, [a1, a2, b1, b2], none);
    expect(step.end).toBe(false);
    expect(step.state.outcome).toBeNull();
    expect(step.signals).toEqual([{ type: 'call-ring', to: ['b1', 'b2', 'a2'], by: a1 }]);
    expect(states(step.state)).toEqual({ b1: 'ringing', b2: 'ringing' });
  });

  it("one device accepting stops the official's other devices (answered elsewhere) and tells the caller", () => {
    const step = apply(invite(a1, [a1, a2, b1, b2], none).state, { type: 'accept', device: b1 });
    expect(step.state.outcome).toBe('answered');
    expect(states(step.state)).toEqual({ b1: 'accepted', b2: 'answered_elsewhere' });
    expect(step.signals).toEqual([
      { type: 'call-answered-elsewhere', to: ['b2'], by: b1 },
      { type: 'call-accepted', to: ['a1', 'a2'], by: b1 },
    ]);
    expect(step.end).toBe(false);
    // b2 may no longer act on the ring.
    expect(apply(step.state, { type: 'decline', device: b2 }).refused).toBe('not_ringing');
  });

  it('a 1:1 decline ends the call as declined; the callee’s other devices stop', () => {
    const step = apply(invite(a1, [a1, b1, b2], none).state, { type: 'decline', device: b2 });
    expect(step).toMatchObject({ end: true, state: { outcome: 'declined' } });
    expect(step.signals).toEqual([{ type: 'call-declined', to: ['a1', 'b1'], by: b2 }]);
  });

  it('in a group, one decline does not end the call; the last one does', () => {
    let s = invite(a1, [a1, b1, c1], none).state;
    const first = apply(s, { type: 'decline', device: b1 });
    expect(first.end).toBe(false);
    s = first.state;
    const last = apply(s, { type: 'busy', device: c1 });
    expect(last).toMatchObject({ end: true, state: { outcome: 'declined' } });
  });

  it('a member device never rung that accepts a ringing call answers it; the timeout then ends nothing', () => {
    // c2 was offline when the call started (not rung), d1 joined the group since.
    const rung = invite(a1, [a1, b1, c1], none).state;
    const step = apply(rung, { type: 'accept', device: c2 });
    expect(step.refused).toBeUndefined();
    expect(step.state.outcome).toBe('answered');
    expect(states(step.state)).toEqual({ b1: 'ringing', c1: 'answered_elsewhere', c2: 'accepted' });
    expect(step.signals).toEqual([
      { type: 'call-answered-elsewhere', to: ['c1'], by: c2 },
      { type: 'call-accepted', to: ['a1', 'b1'], by: c2 },
    ]);
    expect(apply(step.state, { type: 'timeout' })).toMatchObject({
      end: false,
      state: { outcome: 'answered' },
    });
    // Once answered, a late member joins as accepted, and may not decline what never rang it.
    const later = apply(step.state, { type: 'accept', device: d1 });
    expect(states(later.state)).toMatchObject({ d1: 'accepted' });
    expect(apply(step.state, { type: 'decline', device: d1 }).refused).toBe('not_callee');
  });

  it("the caller's own other device does not answer its call; nobody answers a call that is over", () => {
    const rung = invite(a1, [a1, b1], none).state;
    expect(apply(rung, { type: 'accept', device: a2 }).refused).toBe('not_callee');
    const missed = apply(rung, { type: 'timeout' }).state;
    expect(apply(missed, { type: 'accept', device: c1 }).refused).toBe('not_callee');
  });

  it('times out as missed: the ringing devices and the caller are told, the call ends', () => {
    const step = apply(invite(a1, [a1, a2, b1, b2], none).state, { type: 'timeout' });
    expect(step).toMatchObject({ end: true, state: { outcome: 'missed' } });
    expect(step.signals).toEqual([{ type: 'call-missed', to: ['b1', 'b2', 'a1', 'a2'], by: null }]);
    expect(apply(step.state, { type: 'timeout' }).refused).toBe('not_ringing');
  });

  it('after an answer, a timeout only stops who still rings (a group call goes on)', () => {
    const answered = apply(invite(a1, [a1, b1, c1], none).state, { type: 'accept', device: b1 }).state;
    const step = apply(answered, { type: 'timeout' });
    expect(step).toMatchObject({ end: false, state: { outcome: 'answered' } });
    expect(step.signals).toEqual([{ type: 'call-missed', to: ['c1'], by: null }]);
  });

  it('the caller cancels before an answer: everyone ringing stops, the call ends as cancelled', () => {
    const step = apply(invite(a1, [a1, a2, b1], none).state, { type: 'cancel', device: a1 });
    expect(step).toMatchObject({ end: true, state: { outcome: 'cancelled' } });
    expect(step.signals).toEqual([{ type: 'call-cancelled', to: ['b1', 'a2'], by: a1 }]);
    expect(apply(invite(a1, [a1, b1], none).state, { type: 'cancel', device: b1 }).refused).toBe(
      'not_caller',
    );
  });

  it('a callee with every device in another call is busy at once; nobody to ring ends the call as busy', () => {
    const step = invite(a1, [a1, b1, b2], new Set(['b1', 'b2']));
    expect(step).toMatchObject({ end: true, state: { outcome: 'busy' } });
    expect(step.signals).toEqual([{ type: 'call-busy', to: ['a1'], by: b1 }]);
    // One device free: that one rings, the official is not busy.
    const partly = invite(a1, [a1, b1, b2], new Set(['b1']));
    expect(partly.end).toBe(false);
    expect(partly.signals).toEqual([{ type: 'call-ring', to: ['b2'], by: a1 }]);
  });

  it('a device answering busy stops its official’s devices and ends a 1:1 call as busy', () => {
    const step = apply(invite(a1, [a1, b1, b2], none).state, { type: 'busy', device: b1 });
    expect(step).toMatchObject({ end: true, state: { outcome: 'busy' } });
    expect(step.signals).toEqual([{ type: 'call-busy', to: ['a1', 'b2'], by: b1 }]);
  });

  it('refuses acts of devices that are not callees (membership itself is the service’s check)', () => {
    const s = invite(a1, [a1, a2, b1], none).state;
    expect(apply(s, { type: 'accept', device: a2 }).refused).toBe('not_callee');
    for (const type of ['decline', 'busy'] as const)
      expect(apply(s, { type, device: { deviceId: 'x', userId: 'X' } }).refused).toBe('not_callee');
    expect(apply(s, { type: 'cancel', device: b1 }).refused).toBe('not_caller');
  });
});
