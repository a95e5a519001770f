// The call panel's state, pure: what the official did (call, accept, decline, hang up) and what the server
// signalled (docs/calls.md "Signalling") → one phase, and the plain words the panel shows for it.
import type { CallKind, CallSignal } from '../../../lab/src/chat/chat-calls.ts';

/** Why a call is over for this browser. `ended` carries the server's `reason`. */
export type OverWhy =
  | 'declined'
  | 'busy'
  | 'missed'
  | 'cancelled'
  | 'answered-elsewhere'
  | 'ended'
  | 'hung-up'
  | 'removed'
  | 'failed';

export type CallState =
  | { phase: 'idle' }
  /** This browser placed the call (and joined its room): the others are being rung. */
  | { phase: 'calling'; groupId: string; callId?: string; refusedBy?: string[] }
  /** Someone else's call rings this browser. */
  /** `answered`: another official took the call (`call-accepted`): it goes on after this ring. */
  | { phase: 'ringing'; groupId: string; callId: string; from: string; kind?: CallKind; answered?: boolean }
  /** The open conversation's group has a call going on that did not ring this browser: it may join. */
  | { phase: 'available'; groupId: string; callId: string; kind: CallKind }
  | { phase: 'joining'; groupId: string; callId: string }
  | { phase: 'in-call'; groupId: string; callId: string }
  | {
      phase: 'over';
      groupId: string;
      callId?: string;
      why: OverWhy;
      /** The official who declined, was busy, cancelled or called (user id), when known. */
      by?: string;
      reason?: string;
      /** This browser placed the call (a missed call reads differently on each side). */
      outgoing: boolean;
      /** A group call this browser missed or declined goes on (answered, not ended): it may still join. */
      joinable?: boolean;
    };

export type CallAction =
  | { type: 'place'; groupId: string }
  /** `call-invite`'s reply: the call id and its outcome so far (`busy` when every callee is in a call). */
  | { type: 'placed'; callId: string; outcome: string | null }
  | { type: 'accept' }
  | { type: 'joined' }
  | { type: 'decline' }
  | { type: 'hang-up' }
  /** The media host kicked this device out of the room (its device was taken out of the chat). */
  | { type: 'kicked' }
  | { type: 'failed'; reason: string }
  | { type: 'dismiss' }
  /** What the server says of the open conversation's group: its live call, or none (null). */
  | { type: 'live'; groupId: string; call: { callId: string; kind: CallKind } | null }
  | { type: 'signal'; signal: CallSignal; me: string };

export const idle: CallState = { phase: 'idle' };

const callOf = (s: CallState): string | undefined => (s.phase === 'idle' ? undefined : s.callId);
/** A phase in which this browser holds (or is setting up) the call's media. */
export const inCall = (s: CallState): boolean =>
  s.phase === 'calling' || s.phase === 'joining' || s.phase === 'in-call';

/** A `call-ring` for another call while this browser is busy with one: answer it `call-busy`. */
export function busyFor(s: CallState, signal: CallSignal, me: string): boolean {
  if (signal.type !== 'call-ring' || signal.by?.userId === me) return false;
  return (inCall(s) || s.phase === 'ringing') && callOf(s) !== signal.callId;
}

const ENDED_AS: Record<string, OverWhy> = {
  missed: 'missed',
  declined: 'declined',
  busy: 'busy',
  cancelled: 'cancelled',
};

function over(s: Exclude<CallState, { phase: 'idle' }>, why: OverWhy, extra: Partial<CallState> = {}) {
  const outgoing = s.phase === 'calling' || (s.phase === 'over' && s.outgoing);
  const by = s.phase === 'ringing' && s.from ? { by: s.from } : {};
  const joinable = s.phase === 'ringing' && s.answered && (why === 'missed' || why === 'declined');
  return {
    phase: 'over',
    groupId: s.groupId,
    callId: s.callId,
    why,
    outgoing,
    ...by,
    ...(joinable ? { joinable } : {}),
    ...extra,
  } as CallState;
}

function onSignal(s: CallState, signal: CallSignal, me: string): CallState {
  const by = signal.by?.userId;
  if (signal.type === 'call-ring') {
    if (by === me || !(s.phase === 'idle' || s.phase === 'over' || s.phase === 'available')) return s;
    const { groupId, callId, kind } = signal;
    return { phase: 'ringing', groupId, callId, from: by ?? '', kind };
  }
  if (s.phase === 'idle' || callOf(s) !== signal.callId) return s;
  // The first word on a call stays (e.g. "missed", then its call-ended); an ended call is joined no more.
  if (s.phase === 'over') return signal.type === 'call-ended' && s.joinable ? { ...s, joinable: false } : s;
  if (s.phase === 'available') return signal.type === 'call-ended' ? idle : s;
  switch (signal.type) {
    case 'call-accepted':
      if (s.phase === 'ringing') return { ...s, answered: true };
      return s.phase === 'calling' ? { phase: 'in-call', groupId: s.groupId, callId: signal.callId } : s;
    case 'call-answered-elsewhere':
      return s.phase === 'ringing' ? over(s, 'answered-elsewhere') : s;
    case 'call-declined':
    case 'call-busy': {
      const why = signal.type === 'call-declined' ? 'declined' : 'busy';
      if (s.phase === 'ringing') return over(s, why, by ? { by } : {});
      // The caller waits for the others (a group call goes on); the call's end says when it is over.
      if (s.phase === 'calling') return { ...s, refusedBy: [...(s.refusedBy ?? []), by ?? ''] };
      return s;
    }
    case 'call-missed':
      return s.phase === 'in-call' || s.phase === 'joining' ? s : over(s, 'missed');
    case 'call-cancelled':
      return s.phase === 'ringing' ? over(s, 'cancelled', by ? { by } : {}) : s;
    case 'call-ended': {
      const reason = signal.reason ?? '';
      const why = ENDED_AS[reason] ?? 'ended';
      const who = s.phase === 'calling' ? s.refusedBy?.[0] : s.phase === 'ringing' ? s.from : undefined;
      return over(s, why, { reason, ...(who ? { by: who } : {}) });
    }
    case 'call-left': // the tiles follow the room
      return s;
  }
}

/** The next state. Actions that make no sense in a phase leave it unchanged. */
export function callReducer(s: CallState, a: CallAction): CallState {
  switch (a.type) {
    case 'place':
      return s.phase === 'idle' || s.phase === 'over' ? { phase: 'calling', groupId: a.groupId } : s;
    case 'placed':
      if (s.phase !== 'calling') return s;
      if (a.outcome === 'busy') return over({ ...s, callId: a.callId }, 'busy');
      return { ...s, callId: a.callId };
    case 'accept': // a ringing call, or a group call in progress this browser missed, declined or was not rung
      if ((s.phase === 'over' && s.joinable && s.callId) || s.phase === 'available')
        return { phase: 'joining', groupId: s.groupId, callId: s.callId! };
      return s.phase === 'ringing' ? { phase: 'joining', groupId: s.groupId, callId: s.callId } : s;
    case 'joined':
      return s.phase === 'joining' ? { phase: 'in-call', groupId: s.groupId, callId: s.callId } : s;
    case 'decline':
      return s.phase === 'ringing' ? over(s, 'declined', { by: '' }) : s;
    case 'hang-up':
      return inCall(s) ? over(s as Exclude<CallState, { phase: 'idle' }>, 'hung-up') : s;
    case 'kicked':
      return inCall(s) ? over(s as Exclude<CallState, { phase: 'idle' }>, 'removed') : s;
    case 'failed':
      return s.phase === 'idle' || s.phase === 'over' ? s : over(s, 'failed', { reason: a.reason });
    case 'dismiss':
      return s.phase === 'over' ? idle : s;
    case 'signal':
      return onSignal(s, a.signal, a.me);
    case 'live':
      return live(s, a);
  }
}

/**
 * The open conversation's live call (looked up when it opens): offered to join when this browser is not busy
 * with a call, nor already showing this one (a missed call it may join says more than "in progress").
 */
function live(s: CallState, a: Extract<CallAction, { type: 'live' }>): CallState {
  const shown = s.phase === 'idle' || s.phase === 'over' || s.phase === 'available';
  if (!shown) return s;
  if (!a.call) return s.phase === 'available' ? idle : s;
  if (s.phase === 'over' && s.callId === a.call.callId && s.joinable) return s;
  return { phase: 'available', groupId: a.groupId, callId: a.call.callId, kind: a.call.kind };
}

const REASONS: Record<string, string> = {
  everyone_left: 'everyone left',
  everyone_removed: 'everyone was taken out of the chat',
  ended_by_starter: 'the caller ended it',
  ended_by_operator: 'an operator ended it',
  nobody_joined: 'nobody joined',
  media_host_down: 'the call server stopped',
  room_not_created: 'the call server could not open the call',
};

/** The panel's words for a state; `name` gives an official's name from a user id. */
export function describeCall(s: CallState, name: (userId: string) => string): string {
  switch (s.phase) {
    case 'idle':
      return '';
    case 'calling':
      return 'Calling…';
    case 'ringing':
      return `${name(s.from)} is calling${s.kind === 'voice' ? ' (voice call)' : ''}`;
    case 'available':
      return `A ${s.kind === 'voice' ? 'voice call' : 'call'} is in progress`;
    case 'joining':
      return 'Joining the call…';
    case 'in-call':
      return 'In call';
    case 'over':
      return overText(s, name);
  }
}

function overText(s: Extract<CallState, { phase: 'over' }>, name: (userId: string) => string): string {
  const who = s.by ? name(s.by) : '';
  switch (s.why) {
    case 'declined':
      if (!s.outgoing) return s.by === '' ? 'You declined the call' : 'Declined on your other device';
      return who ? `${who} declined the call` : 'The call was declined';
    case 'busy':
      if (!s.outgoing) return 'Answered busy on your other device';
      return who ? `${who} is busy in another call` : 'Busy: nobody could take the call';
    case 'missed':
      return s.outgoing ? 'No answer' : `Missed call${who ? ` from ${who}` : ''}`;
    case 'cancelled':
      return s.outgoing ? 'Call cancelled' : `${who || 'The caller'} cancelled the call`;
    case 'answered-elsewhere':
      return 'Answered on your other device';
    case 'hung-up':
      return 'You hung up';
    case 'removed':
      return 'You were taken out of the call';
    case 'failed':
      return `The call failed: ${s.reason ?? 'unknown error'}`;
    case 'ended':
      return `Call ended: ${REASONS[s.reason ?? ''] ?? (s.reason || 'ended')}`;
  }
}
