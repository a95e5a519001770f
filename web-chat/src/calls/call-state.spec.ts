import { describe, expect, it } from 'vitest';
import type { CallSignal, CallSignalType } from '../../../lab/src/chat/chat-calls.ts';
import {
  busyFor,
  callReducer,
  describeCall,
  idle,
  inCall,
  type CallAction,
  type CallState,
} from './call-state.ts';

const ME = 'user-me';
const names: Record<string, string> = { [ME]: 'You', 'user-amina': 'Amina Khan', 'user-bilal': 'Bilal Shah' };
const name = (u: string) => names[u] ?? `Official ${u}`;

const signal = (type: CallSignalType, by: string | null, extra: Partial<CallSignal> = {}): CallAction => ({
  type: 'signal',
  me: ME,
  signal: {
    type,
    callId: 'call-1',
    groupId: 'group-1',
    kind: 'video',
    by: by === null ? null : { deviceId: `dev-${by}`, userId: by },
    ...extra,
  },
});
const run = (actions: CallAction[], from: CallState = idle) => actions.reduce(callReducer, from);
const text = (s: CallState) => describeCall(s, name);
const place: CallAction[] = [
  { type: 'place', groupId: 'group-1' },
  { type: 'placed', callId: 'call-1', outcome: null },
];

describe('the caller', () => {
  it('shows Calling… until someone accepts, then is in the call', () => {
    const calling = run(place);
    expect(calling).toMatchObject({ phase: 'calling', callId: 'call-1' });
    expect(text(calling)).toBe('Calling…');
    const answered = callReducer(calling, signal('call-accepted', 'user-amina')).phase;
    expect(answered).toBe('in-call');
  });

  it('a decline ends the call when the server ends it, naming who declined', () => {
    const s = run([...place, signal('call-declined', 'user-amina')]);
    expect(s.phase).toBe('calling'); // a group call goes on while others may answer
    const over = callReducer(s, signal('call-ended', null, { reason: 'declined' }));
    expect(text(over)).toBe('Amina Khan declined the call');
    expect(inCall(over)).toBe(false);
  });

  it('busy at the invite is over at once; busy later is named at the end', () => {
    const atInvite = run([
      { type: 'place', groupId: 'group-1' },
      { type: 'placed', callId: 'call-1', outcome: 'busy' },
    ]);
    expect(text(atInvite)).toBe('Busy: nobody could take the call');
    const later = run([
      ...place,
      signal('call-busy', 'user-bilal'),
      signal('call-ended', null, { reason: 'busy' }),
    ]);
    expect(text(later)).toBe('Bilal Shah is busy in another call');
  });

  it('no answer, and the later call-ended does not replace the first word', () => {
    const s = run([...place, signal('call-missed', null), signal('call-ended', null, { reason: 'missed' })]);
    expect(text(s)).toBe('No answer');
  });

  it('hanging up, then dismissing', () => {
    const s = run([...place, signal('call-accepted', 'user-amina'), { type: 'hang-up' }]);
    expect(text(s)).toBe('You hung up');
    expect(callReducer(s, { type: 'dismiss' })).toEqual(idle);
  });

  it('a group call answered by another official may be joined after this browser missed or declined it', () => {
    const ring = signal('call-ring', 'user-amina');
    const missed = run([ring, signal('call-accepted', 'user-bilal'), signal('call-missed', null)]);
    expect(text(missed)).toBe('Missed call from Amina Khan');
    expect(callReducer(missed, { type: 'accept' })).toEqual({
      phase: 'joining',
      groupId: 'group-1',
      callId: 'call-1',
    });
    const declined = run([ring, signal('call-accepted', 'user-bilal'), { type: 'decline' }]);
    expect(callReducer(declined, { type: 'accept' }).phase).toBe('joining');
    // Nobody answered, or the call has ended since: nothing to join.
    const unanswered = run([ring, signal('call-missed', null)]);
    expect(callReducer(unanswered, { type: 'accept' })).toBe(unanswered);
    const ended = callReducer(missed, signal('call-ended', null, { reason: 'everyone_left' }));
    expect(text(ended)).toBe('Missed call from Amina Khan');
    expect(callReducer(ended, { type: 'accept' })).toBe(ended);
  });

  it('a kick from the room (the device was taken out of the chat) ends the call for this browser only', () => {
    const s = run([...place, signal('call-accepted', 'user-amina'), { type: 'kicked' }]);
    expect(text(s)).toBe('You were taken out of the call');
    expect(inCall(s)).toBe(false);
    expect(callReducer(idle, { type: 'kicked' })).toEqual(idle);
  });

  it('the call ended, in plain words for each reason', () => {
    const inCallState = run([...place, signal('call-accepted', 'user-amina')]);
    const ended = (reason: string) => text(callReducer(inCallState, signal('call-ended', null, { reason })));
    expect(ended('everyone_left')).toBe('Call ended: everyone left');
    expect(ended('ended_by_operator')).toBe('Call ended: an operator ended it');
    expect(ended('media_host_down')).toBe('Call ended: the call server stopped');
    expect(ended('something_new')).toBe('Call ended: something_new');
  });

  it('signals of another call are ignored', () => {
    const s = run(place);
    expect(callReducer(s, signal('call-ended', null, { callId: 'call-2', reason: 'everyone_left' }))).toBe(s);
  });
});

describe('the callee', () => {
  const ring = signal('call-ring', 'user-amina', { ringUntil: '2026-01-01T00:00:30Z' });

  it('rings with the caller’s name, accepts and joins', () => {
    const ringing = run([ring]);
    expect(text(ringing)).toBe('Amina Khan is calling');
    const voice = signal('call-ring', 'user-amina', { kind: 'voice' });
    expect(text(callReducer(idle, voice))).toBe('Amina Khan is calling (voice call)');
    const joining = callReducer(ringing, { type: 'accept' });
    expect(joining.phase).toBe('joining');
    expect(callReducer(joining, { type: 'joined' }).phase).toBe('in-call');
  });

  it('declining, answered elsewhere, cancelled, missed', () => {
    expect(text(run([ring, { type: 'decline' }]))).toBe('You declined the call');
    expect(text(run([ring, signal('call-answered-elsewhere', ME)]))).toBe('Answered on your other device');
    expect(text(run([ring, signal('call-declined', ME)]))).toBe('Declined on your other device');
    expect(text(run([ring, signal('call-cancelled', 'user-amina')]))).toBe('Amina Khan cancelled the call');
    expect(text(run([ring, signal('call-missed', null)]))).toBe('Missed call from Amina Khan');
  });

  it('the ring of one’s own call on another device (an observer) does not ring here', () => {
    expect(run([signal('call-ring', ME)])).toEqual(idle);
  });

  it('a failure while joining is shown and ends the call for this browser', () => {
    const s = run([ring, { type: 'accept' }, { type: 'failed', reason: 'janus: cannot connect' }]);
    expect(text(s)).toBe('The call failed: janus: cannot connect');
  });

  it('a second call while in one is answered busy, not rung', () => {
    const inCallState = run([ring, { type: 'accept' }, { type: 'joined' }]);
    const other = signal('call-ring', 'user-bilal', { callId: 'call-2' });
    if (other.type !== 'signal') throw new Error('unreachable');
    expect(busyFor(inCallState, other.signal, ME)).toBe(true);
    expect(busyFor(idle, other.signal, ME)).toBe(false);
    expect(callReducer(inCallState, other)).toBe(inCallState);
  });
});

describe('a call in progress this browser was not rung for (looked up when the conversation opens)', () => {
  const found = (
    call: { callId: string; kind: 'voice' | 'video' } | null,
    groupId = 'group-1',
  ): CallAction => ({
    type: 'live',
    groupId,
    call,
  });

  it('offers to join it, joins, and is in the call', () => {
    const offered = run([found({ callId: 'call-1', kind: 'voice' })]);
    expect(offered).toEqual({ phase: 'available', groupId: 'group-1', callId: 'call-1', kind: 'voice' });
    expect(text(offered)).toBe('A voice call is in progress');
    expect(text(run([found({ callId: 'call-1', kind: 'video' })]))).toBe('A call is in progress');
    expect(inCall(offered)).toBe(false);
    const joined = run([{ type: 'accept' }, { type: 'joined' }], offered);
    expect(joined).toEqual({ phase: 'in-call', groupId: 'group-1', callId: 'call-1' });
  });

  it('goes when the call ends or another conversation without a call opens; a ring still rings', () => {
    const offered = run([found({ callId: 'call-1', kind: 'video' })]);
    expect(run([signal('call-ended', null, { reason: 'everyone_left' })], offered)).toBe(idle);
    expect(run([found(null, 'group-2')], offered)).toBe(idle);
    const rung = run([signal('call-ring', 'user-amina', { callId: 'call-2', groupId: 'group-2' })], offered);
    expect(rung).toMatchObject({ phase: 'ringing', callId: 'call-2' });
  });

  it('never replaces a call this browser is in, ringing or joining, nor a missed call it may join', () => {
    const inCallState = run([...place, signal('call-accepted', 'user-amina')]);
    expect(run([found({ callId: 'call-9', kind: 'video' })], inCallState)).toBe(inCallState);
    const ringing = run([signal('call-ring', 'user-amina')]);
    expect(run([found({ callId: 'call-1', kind: 'video' })], ringing)).toBe(ringing);
    const missed = run([
      signal('call-ring', 'user-amina'),
      signal('call-accepted', 'user-bilal'),
      signal('call-missed', null),
    ]);
    expect(missed).toMatchObject({ phase: 'over', joinable: true });
    expect(run([found({ callId: 'call-1', kind: 'video' })], missed)).toBe(missed);
    // Another call of another conversation, though, is offered over an old "missed".
    expect(run([found({ callId: 'call-3', kind: 'video' }, 'group-3')], missed)).toMatchObject({
      phase: 'available',
      callId: 'call-3',
    });
  });
});
