import { describe, expect, it } from 'vitest';
import { CallSignalError, ChatCalls, parseCallSignal } from './chat-calls.js';

const CALL = '0b9f3c1e-5a7d-4e2b-8c6f-1d3a5e7b9c2f';

/** A fake socket and HTTP: frames sent are kept, the test answers them. */
function harness(open = true) {
  const sent: Record<string, unknown>[] = [];
  const posted: { method: string; path: string; body?: unknown }[] = [];
  const calls = new ChatCalls({
    send: (f) => (open ? (sent.push(f), true) : false),
    call: <T>(method: string, path: string, body?: unknown) => {
      posted.push({ method, path, body });
      return Promise.resolve({ callId: CALL, groupId: 'g', janus: {}, turn: null } as T);
    },
  });
  const reply = (result: unknown) =>
    calls.onFrame({ type: 'result', id: sent[sent.length - 1]!['id'], result });
  return { calls, sent, posted, reply };
}

describe('the SDK calls', () => {
  it('places a call: REST start, then the invite on the socket; the reply is the ring', async () => {
    const h = harness();
    const placing = h.calls.place('g', 'video');
    await new Promise((r) => setImmediate(r));
    expect(h.posted).toEqual([{ method: 'POST', path: '/api/v1/chat/calls', body: { groupId: 'g' } }]);
    expect(h.sent[0]).toMatchObject({ type: 'call-invite', callId: CALL, kind: 'video' });
    h.reply({ callId: CALL, outcome: null, ringUntil: '2026-12-05T10:00:45.000Z' });
    expect(await placing).toMatchObject({ join: { callId: CALL }, outcome: null });
  });

  it('reads the call’s record and ends the call over HTTP, not on the socket', async () => {
    const h = harness();
    await h.calls.get(CALL);
    await h.calls.end(CALL);
    expect(h.posted).toEqual([
      { method: 'GET', path: `/api/v1/chat/calls/${CALL}`, body: undefined },
      { method: 'POST', path: `/api/v1/chat/calls/${CALL}/end`, body: undefined },
    ]);
    expect(h.sent).toEqual([]);
  });

  it('turns error replies into CallSignalError with the code, and refuses without a socket', async () => {
    const h = harness();
    const declining = h.calls.decline(CALL);
    h.calls.onFrame({ type: 'error', id: h.sent[0]!['id'], code: 'call_not_ringing', message: 'no' });
    await expect(declining).rejects.toBeInstanceOf(CallSignalError);
    await expect(harness(false).calls.accept(CALL)).rejects.toThrow('not open');
  });

  it('hands signals to waiters, before or after they arrive; ignores what is not a signal', async () => {
    const h = harness();
    const ring = {
      type: 'call-ring',
      callId: CALL,
      groupId: 'g',
      kind: 'voice',
      by: { deviceId: 'd', userId: 'u' },
    };
    expect(h.calls.onFrame(ring)).toBe(true);
    expect(await h.calls.next('call-ring', CALL)).toMatchObject({ by: { deviceId: 'd' } });
    const ended = h.calls.next('call-ended');
    h.calls.onFrame({
      type: 'call-ended',
      callId: CALL,
      groupId: 'g',
      kind: 'voice',
      by: null,
      reason: 'missed',
    });
    expect(await ended).toMatchObject({ reason: 'missed' });
    expect(h.calls.onFrame({ type: 'deliver', envelopes: [] })).toBe(false);
    expect(parseCallSignal({ ...ring, kind: 'hologram' })).toBeNull();
    expect(parseCallSignal({ ...ring, by: { deviceId: 1 } })).toBeNull();
  });
});
