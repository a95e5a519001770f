import type { CallSignalType } from '../../ws/frames.js';

/**
 * The ringing of a call, as a pure state machine: who rings, who answered, declined or is busy, and when the
 * call is over before anyone answered. No I/O: the service loads the state under the call's row lock, applies
 * one event, stores what changed and sends the signals this returns.
 *
 * Parties: the caller (the device that started the call), the **callees** (every member device of the group
 * of another official) and the **observers** (the caller's official's other devices: they show the call as
 * outgoing and stop when it is answered or over). An official is busy when each of their devices is in
 * another live call (busy devices do not ring), or when one of their devices answers `busy`.
 */

export type CallKind = 'voice' | 'video';
export type Party = { readonly deviceId: string; readonly userId: string };
export type InviteeState =
  'ringing' | 'accepted' | 'answered_elsewhere' | 'declined' | 'busy' | 'missed' | 'cancelled';
export type Invitee = Party & { state: InviteeState };
export type Outcome = 'answered' | 'missed' | 'declined' | 'cancelled' | 'busy';

export type RingState = {
  readonly caller: Party;
  /** The caller's official's other member devices. */
  readonly observers: readonly Party[];
  readonly invitees: readonly Invitee[];
  /** Null while ringing with nobody answered; `answered` once a callee accepted; else why it is over. */
  readonly outcome: Outcome | null;
};

/** The signals of the ringing (call-left and call-ended come from the room, not from this machine). */
export type SignalType = Exclude<CallSignalType, 'call-left' | 'call-ended'>;
/** One signal frame for these devices; `by` is the device whose act it reports (null: the server's). */
export type Signal = { readonly type: SignalType; readonly to: readonly string[]; readonly by: Party | null };

export type RingEvent =
  | { readonly type: 'accept'; readonly device: Party }
  | { readonly type: 'decline'; readonly device: Party }
  | { readonly type: 'busy'; readonly device: Party }
  | { readonly type: 'cancel'; readonly device: Party }
  | { readonly type: 'timeout' };

export type Step = {
  readonly state: RingState;
  readonly signals: readonly Signal[];
  /** The call ends now, before anyone answered (its outcome is the state's). */
  readonly end: boolean;
  /** The event was refused: who sent it may not (not a callee, not the caller, not ringing any more). */
  readonly refused?: 'not_ringing' | 'not_callee' | 'not_caller';
};

/**
 * Starts ringing: every callee device not in another live call (`inCall`) rings; a callee official with every
 * device in a call is reported busy to the caller at once. Nobody left to ring: the call is over as `busy`.
 */
export function invite(caller: Party, members: readonly Party[], inCall: ReadonlySet<string>): Step {
  const observers = members.filter((m) => m.userId === caller.userId && m.deviceId !== caller.deviceId);
  const invitees: Invitee[] = members
    .filter((m) => m.userId !== caller.userId)
    .map((m) => ({
      deviceId: m.deviceId,
      userId: m.userId,
      state: inCall.has(m.deviceId) ? 'busy' : 'ringing',
    }));
  const state: RingState = { caller, observers, invitees, outcome: null };
  const ringing = invitees.filter((i) => i.state === 'ringing');
  const signals: Signal[] = [];
  if (ringing.length > 0)
    signals.push({ type: 'call-ring', to: [...ids(ringing), ...ids(observers)], by: caller });
  for (const user of usersOf(invitees))
    if (invitees.every((i) => i.userId !== user || i.state === 'busy'))
      signals.push({ type: 'call-busy', to: callerSide(state), by: firstOf(invitees, user) });
  return settle(state, signals);
}

export function apply(given: RingState, event: RingEvent): Step {
  if (event.type === 'timeout') return timeout(given);
  const state = withLateCallee(given, event);
  const device = event.device;
  if (event.type === 'cancel') {
    if (device.userId !== state.caller.userId) return refuse(state, 'not_caller');
    if (state.outcome !== null) return refuse(state, 'not_ringing');
    const ringing = state.invitees.filter((i) => i.state === 'ringing');
    const next = withStates(state, (i) => (i.state === 'ringing' ? 'cancelled' : i.state), 'cancelled');
    const to = [...ids(ringing), ...callerSide(state).filter((d) => d !== device.deviceId)];
    return { state: next, signals: to.length ? [{ type: 'call-cancelled', to, by: device }] : [], end: true };
  }
  const me = state.invitees.find((i) => i.deviceId === device.deviceId);
  if (!me) return refuse(state, 'not_callee');
  if (me.state !== 'ringing' || (state.outcome !== null && state.outcome !== 'answered'))
    return refuse(state, 'not_ringing');
  // Every act of a device stops its official's other ringing devices.
  const mine = state.invitees.filter(
    (i) => i.userId === me.userId && i.deviceId !== me.deviceId && i.state === 'ringing',
  );
  if (event.type === 'accept') {
    const next = withStates(
      state,
      (i) => (i.deviceId === me.deviceId ? 'accepted' : mine.includes(i) ? 'answered_elsewhere' : i.state),
      'answered',
    );
    const signals: Signal[] = [];
    if (mine.length) signals.push({ type: 'call-answered-elsewhere', to: ids(mine), by: device });
    const others = state.invitees.filter((i) => i.userId !== me.userId && i.state === 'ringing');
    signals.push({ type: 'call-accepted', to: [...callerSide(state), ...ids(others)], by: device });
    return { state: next, signals, end: false };
  }
  const verdict = event.type === 'decline' ? 'declined' : 'busy';
  const next = withStates(state, (i) => (i === me || mine.includes(i) ? verdict : i.state), state.outcome);
  const signals: Signal[] = [
    {
      type: event.type === 'decline' ? 'call-declined' : 'call-busy',
      to: [...callerSide(state), ...ids(mine)],
      by: device,
    },
  ];
  return settle(next, signals);
}

/**
 * A member device the call never rang (offline through the ring's start, or in the group since) that accepts
 * while the call rings or goes on answered: it answers as a callee would — unless it is the caller's official's
 * (their own other device joins without answering their own call).
 */
function withLateCallee(state: RingState, event: Exclude<RingEvent, { type: 'timeout' }>): RingState {
  const device = event.device;
  if (event.type !== 'accept' || device.userId === state.caller.userId) return state;
  if (state.outcome !== null && state.outcome !== 'answered') return state;
  if (state.invitees.some((i) => i.deviceId === device.deviceId)) return state;
  const late: Invitee = { deviceId: device.deviceId, userId: device.userId, state: 'ringing' };
  return { ...state, invitees: [...state.invitees, late] };
}

/** The ring time is over: devices still ringing missed it; with nobody answered, the call is over (`missed`). */
function timeout(state: RingState): Step {
  const ringing = state.invitees.filter((i) => i.state === 'ringing');
  if (state.outcome !== null && state.outcome !== 'answered') return refuse(state, 'not_ringing');
  const answered = state.outcome === 'answered';
  if (answered && ringing.length === 0) return { state, signals: [], end: false };
  const next = withStates(
    state,
    (i) => (i.state === 'ringing' ? 'missed' : i.state),
    answered ? 'answered' : 'missed',
  );
  const to = answered ? ids(ringing) : [...ids(ringing), ...callerSide(state)];
  return { state: next, signals: to.length ? [{ type: 'call-missed', to, by: null }] : [], end: !answered };
}

/** Nobody rings any more and nobody answered: declined if anyone declined, else busy. */
function settle(state: RingState, signals: Signal[]): Step {
  if (state.outcome !== null || state.invitees.some((i) => i.state === 'ringing'))
    return { state, signals, end: false };
  const outcome: Outcome = state.invitees.some((i) => i.state === 'declined') ? 'declined' : 'busy';
  return { state: { ...state, outcome }, signals, end: true };
}

/** The caller's devices: the caller and its official's other devices. */
export function callerSide(state: RingState): string[] {
  return [state.caller.deviceId, ...ids(state.observers)];
}

function withStates(
  state: RingState,
  next: (i: Invitee) => InviteeState,
  outcome: Outcome | null,
): RingState {
  return { ...state, outcome, invitees: state.invitees.map((i) => ({ ...i, state: next(i) })) };
}

const refuse = (state: RingState, refused: NonNullable<Step['refused']>): Step => ({
  state,
  signals: [],
  end: false,
  refused,
});
const ids = (parties: readonly Party[]) => parties.map((p) => p.deviceId);
const usersOf = (parties: readonly Party[]) => [...new Set(parties.map((p) => p.userId))];
const firstOf = (parties: readonly Party[], userId: string): Party => {
  const p = parties.find((x) => x.userId === userId)!;
  return { deviceId: p.deviceId, userId: p.userId };
};
