// Calls in the client SDK: the REST start/join of secure-chat's calls (docs/calls.md) and the signalling frames
// of the chat WebSocket (invite, accept, decline, busy, cancel, hang-up; ring, answered elsewhere, missed, …).
// Media (Janus, SFrame keys from the MLS exporter) is not here: `CallJoin` is what a media client needs.

export const callRoutes = {
  /** POST { groupId } → 201 CallJoin: starts the group's call and joins this device. */
  start: () => '/api/v1/chat/calls',
  /** GET → {calls: Call[]}: the live calls of the device's groups (`groupId`: of that one). */
  live: (groupId?: string) =>
    groupId === undefined
      ? '/api/v1/chat/calls'
      : `/api/v1/chat/calls?groupId=${encodeURIComponent(groupId)}`,
  /** GET → Call. */
  call: (callId: string) => `/api/v1/chat/calls/${encodeURIComponent(callId)}`,
  /** POST → Call: ends the call for everyone (the starter only). */
  end: (callId: string) => `/api/v1/chat/calls/${encodeURIComponent(callId)}/end`,
} as const;

export type CallKind = 'voice' | 'video';
/** What a device joins the call's Janus VideoRoom with (and TURN credentials, null when none). */
export type CallJoin = {
  callId: string;
  groupId: string;
  janus: { url: string; room: number; participantId: number; token: string };
  turn: {
    urls: string[];
    username: string;
    credential: string;
    expiresAt: string;
    ttlSeconds: number;
  } | null;
};
/** `GET /api/v1/chat/calls/{callId}`: the call and its participants (a VideoRoom feed id is a participantId). */
export type CallView = {
  callId: string;
  groupId: string;
  state: 'live' | 'ended';
  kind: CallKind;
  /** How the ringing went: null while it rings (or for a call never rung). */
  outcome: Outcome;
  participants: { deviceId: string; userId: string; participantId: number; state: string }[];
};
type Answer = 'ring' | 'accepted' | 'answered-elsewhere' | 'declined' | 'busy';
type Over = 'missed' | 'cancelled' | 'left' | 'ended';
/** `call-ring`, `call-accepted`, …, `call-ended` (docs/calls.md "Signalling"). */
export type CallSignalType = `call-${Answer | Over}`;
const SIGNALS = new Set(
  'ring accepted answered-elsewhere declined busy missed cancelled left ended'
    .split(' ')
    .map((e) => `call-${e}`),
);
/** A signal the server sent about a call. */
export type CallSignal = {
  type: CallSignalType;
  callId: string;
  groupId: string;
  kind: CallKind;
  by: { deviceId: string; userId: string } | null;
  ringUntil?: string;
  reason?: string;
};
type Outcome = 'answered' | 'missed' | 'declined' | 'cancelled' | 'busy' | null;

/** A refused signalling request: the server's error code (call_not_ringing, call_not_found, …). */
export class CallSignalError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A call signal frame from the server, or null when it is not one. */
export function parseCallSignal(v: Record<string, unknown>): CallSignal | null {
  if (typeof v.type !== 'string' || !SIGNALS.has(v.type)) return null;
  if (typeof v.callId !== 'string' || typeof v.groupId !== 'string') return null;
  if (v.kind !== 'voice' && v.kind !== 'video') return null;
  const by = v.by as { deviceId?: unknown; userId?: unknown } | null;
  if (by !== null && (typeof by?.deviceId !== 'string' || typeof by.userId !== 'string')) return null;
  return {
    type: v.type as CallSignalType,
    callId: v.callId,
    groupId: v.groupId,
    kind: v.kind,
    by: by && { deviceId: by.deviceId as string, userId: by.userId as string },
    ...(typeof v.ringUntil === 'string' ? { ringUntil: v.ringUntil } : {}),
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
  };
}

/** What ChatCalls needs of the chat client: its open socket, and HTTP on the device's session. */
export type CallsIo = {
  /** Sends a frame on the open socket; false when none is open. */
  send(frame: Record<string, unknown>): boolean;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
};

const TIMEOUT_MS = 15_000;

/**
 * A device's calls: `place` starts the group's call (REST) and rings it (WebSocket); `accept` answers and
 * joins (the reply is the CallJoin); `decline`, `busy`, `cancel`, `hangUp`. Signals go to `onSignal`, and to
 * whoever waits in `next`.
 */
export class ChatCalls {
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly seen: CallSignal[] = [];
  private readonly waiters = new Set<() => boolean>();
  private n = 0;

  constructor(
    private readonly io: CallsIo,
    private readonly onSignal?: (s: CallSignal) => void,
  ) {}

  async place(
    groupId: string,
    kind: CallKind = 'voice',
  ): Promise<{ join: CallJoin; outcome: Outcome; ringUntil: string }> {
    const join = await this.io.call<CallJoin>('POST', callRoutes.start(), { groupId });
    const rung = await this.request<{ outcome: Outcome; ringUntil: string }>('call-invite', join.callId, {
      kind,
    });
    return { join, ...rung };
  }

  accept(callId: string): Promise<CallJoin> {
    return this.request('call-accept', callId);
  }
  decline(callId: string): Promise<{ outcome: Outcome }> {
    return this.request('call-decline', callId);
  }
  busy(callId: string): Promise<{ outcome: Outcome }> {
    return this.request('call-busy', callId);
  }
  cancel(callId: string): Promise<{ outcome: Outcome }> {
    return this.request('call-cancel', callId);
  }
  /** Leaves the call (the caller's before an answer cancels it; a ringing callee's declines it). */
  hangUp(callId: string): Promise<unknown> {
    return this.request('call-hangup', callId);
  }
  /** The call and who is in it. */
  get(callId: string): Promise<CallView> {
    return this.io.call('GET', callRoutes.call(callId));
  }
  /** The live calls of this device's groups (`groupId`: of that one) — to join one it was never rung for. */
  async live(groupId?: string): Promise<CallView[]> {
    return (await this.io.call<{ calls: CallView[] }>('GET', callRoutes.live(groupId))).calls;
  }
  /** Ends the call for everyone (its starter only). */
  end(callId: string): Promise<unknown> {
    return this.io.call('POST', callRoutes.end(callId));
  }

  /** The next signal of this type (and call) — already received or to come. */
  next(type: CallSignalType, callId?: string, timeoutMs = TIMEOUT_MS): Promise<CallSignal> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.seen.findIndex(
          (s) => s.type === type && (callId === undefined || s.callId === callId),
        );
        if (i < 0) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(this.seen.splice(i, 1)[0]!);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** A frame from the socket: true when it was the calls' (a signal, or the reply to a call request). */
  onFrame(o: Record<string, unknown>): boolean {
    const signal = parseCallSignal(o);
    if (signal) {
      this.seen.push(signal);
      if (this.seen.length > 500) this.seen.shift();
      for (const w of [...this.waiters]) w();
      this.onSignal?.(signal);
      return true;
    }
    const p = typeof o.id === 'string' ? this.pending.get(o.id) : undefined;
    if (!p || (o.type !== 'result' && o.type !== 'error')) return false;
    this.pending.delete(o.id as string);
    if (o.type === 'result') p.resolve(o.result);
    else
      p.reject(
        new CallSignalError(
          typeof o.code === 'string' ? o.code : 'error',
          typeof o.message === 'string' ? o.message : '',
        ),
      );
    return true;
  }

  /** The socket closed: requests waiting for a reply fail (the caller may retry once reconnected). */
  disconnected(): void {
    for (const p of this.pending.values()) p.reject(new Error('the chat socket closed'));
    this.pending.clear();
  }

  private request<T>(type: string, callId: string, extra: Record<string, unknown> = {}): Promise<T> {
    const id = `call:${++this.n}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${type}: no reply within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      const done =
        <V>(f: (v: V) => void) =>
        (v: V) => (clearTimeout(timer), f(v));
      this.pending.set(id, { resolve: done(resolve as (v: unknown) => void), reject: done(reject) });
      if (!this.io.send({ type, id, callId, ...extra })) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new Error('the chat socket is not open: start() the client first'));
      }
    });
  }
}

/** A socket text frame: handed to the calls when it is a call signal or the reply to a call request (ids `call:*`). */
export function callFrame(text: string, calls: ChatCalls): boolean {
  if (!text.startsWith('{"type":"call-') && !text.includes('"id":"call:')) return false;
  try {
    return calls.onFrame(JSON.parse(text) as Record<string, unknown>);
  } catch {
    return false;
  }
}
