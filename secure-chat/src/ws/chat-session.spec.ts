import { describe, expect, it, vi } from 'vitest';
import { ChatSession } from './chat-session.js';
import { DELIVER_FRAME_BYTES } from './deliver-frames.js';
import type { ServerFrame } from './frames.js';

const env = (seq: number, bodyChars = 1) => ({
  seq,
  groupId: 'g',
  senderDevice: null,
  kind: 'application',
  body: 'b'.repeat(bodyChars),
  at: 'now',
});

/** A socket that records the envelopes sent on it, and a queue the session reads (each read recorded). */
function harness(queue: number[], bodyChars = 1) {
  const sent: number[] = [];
  /** Each `deliver` frame written: its bytes and its envelopes' seqs. */
  const frames: { bytes: number; seqs: number[] }[] = [];
  const reads: number[] = [];
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (data: string) => {
      const f = JSON.parse(data) as ServerFrame;
      if (f.type !== 'deliver') return;
      sent.push(...f.envelopes.map((e) => e.seq));
      frames.push({ bytes: Buffer.byteLength(data), seqs: f.envelopes.map((e) => e.seq) });
    },
  };
  const delivery = {
    inbox: (_device: unknown, after: number) => {
      reads.push(after);
      return Promise.resolve(queue.filter((s) => s > after).map((s) => env(s, bodyChars)));
    },
  };
  const session = new ChatSession(
    ws as unknown as ConstructorParameters<typeof ChatSession>[0],
    { deviceId: 'd' } as unknown as ConstructorParameters<typeof ChatSession>[1],
    delivery as unknown as ConstructorParameters<typeof ChatSession>[2],
  );
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { session, sent, frames, reads, queue, ws, settle };
}

describe('ChatSession.offer (envelopes handed by the send batch, no queue read)', () => {
  it('sends the next envelopes at once without reading the queue', async () => {
    const h = harness([1, 2]);
    h.session.wake(); // on connect: reads what is queued
    await h.settle();
    h.queue.push(3, 4);
    h.session.offer([env(3), env(4)]);
    await h.settle();
    expect(h.sent).toEqual([1, 2, 3, 4]);
    expect(h.reads).toEqual([0, 2]); // the connect's read (and its empty follow-up) only
  });

  it('reads the queue instead when what is offered is not next (an envelope it has not seen came first)', async () => {
    const h = harness([1]);
    h.session.wake();
    await h.settle();
    // Seq 3 is offered before 2 (two batches answered out of order): 2 must not be skipped.
    h.queue.push(2, 3);
    h.session.offer([env(3)]);
    await h.settle();
    h.session.offer([env(2)]); // already sent by the read: not again
    await h.settle();
    expect(h.sent).toEqual([1, 2, 3]);
  });

  it('while a read is under way, reads again after it rather than racing it; nothing is sent twice', async () => {
    const h = harness([1, 2]);
    h.session.wake(); // the read is in flight
    h.queue.push(3);
    h.session.offer([env(3)]);
    await h.settle();
    expect(h.sent).toEqual([1, 2, 3]);
  });

  it('leaves a backed-up socket to the reading path (its high-water wait)', async () => {
    const h = harness([]);
    h.session.wake();
    await h.settle();
    h.ws.bufferedAmount = 64 * 1024 * 1024;
    h.queue.push(1);
    h.session.offer([env(1)]);
    await h.settle();
    expect(h.sent).toEqual([]);
    h.ws.bufferedAmount = 0;
    await new Promise((r) => setTimeout(r, 120));
    expect(h.sent).toEqual([1]);
  });
});

describe('ChatSession wakes', () => {
  it('loses no wake that arrives as a read that found nothing finishes (at any microtask after it)', async () => {
    for (let depth = 0; depth < 6; depth++) {
      const h = harness([]);
      const inbox = (
        h.session as unknown as { delivery: { inbox: (d: unknown, a: number) => Promise<unknown> } }
      ).delivery;
      const read = inbox.inbox.bind(inbox);
      let armed = true;
      inbox.inbox = (d, after) => {
        const r = read(d, after);
        if (armed) {
          armed = false;
          // Seq 1 is queued and its wake comes `depth` microtasks after this (empty) read resolves.
          let hop = (): void => {
            h.queue.push(1);
            h.session.wake();
          };
          for (let k = 0; k < depth; k++) {
            const next = hop;
            hop = () => queueMicrotask(next);
          }
          void r.then(hop);
        }
        return r;
      };
      h.session.wake();
      await h.settle();
      expect({ depth, sent: h.sent }).toEqual({ depth, sent: [1] });
    }
  });
});

describe('ChatSession flushes', () => {
  it('flushes every session with frames at the end of the turn with one immediate for all', async () => {
    const sessions = [harness([]), harness([]), harness([])];
    const scheduled = vi.spyOn(globalThis, 'setImmediate');
    try {
      sessions.forEach((h) => h.session.offer([env(1)]));
      sessions[1]!.session.offer([env(2)]); // a second frame of a session waiting: no other immediate
      expect(scheduled).toHaveBeenCalledTimes(1);
    } finally {
      scheduled.mockRestore();
    }
    await sessions[0]!.settle();
    expect(sessions.map((h) => h.sent)).toEqual([[1], [1, 2], [1]]);
  });
});

describe('ChatSession frame sizes (at most DELIVER_FRAME_BYTES: a client over its limit closes, 1009)', () => {
  const big = 400_000; // characters of body: two envelopes fit a frame, three do not

  it('cuts a queue read at the budget and reads again after what it sent', async () => {
    const h = harness([1, 2, 3, 4, 5], big);
    h.session.wake();
    await h.settle();
    expect(h.frames.map((f) => f.seqs)).toEqual([[1, 2], [3, 4], [5]]);
    expect(Math.max(...h.frames.map((f) => f.bytes))).toBeLessThanOrEqual(DELIVER_FRAME_BYTES);
    expect(h.reads).toEqual([0, 2, 4, 5]);
  });

  it('splits a hand-off, and hand-offs merged in one turn, at the budget', async () => {
    const h = harness([], big);
    h.session.wake();
    await h.settle();
    h.session.offer([env(1, big), env(2, big), env(3, big)]);
    h.session.offer([env(4, big)]);
    await h.settle();
    expect(h.frames.map((f) => f.seqs)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(Math.max(...h.frames.map((f) => f.bytes))).toBeLessThanOrEqual(DELIVER_FRAME_BYTES);
  });

  it('sends an envelope larger than the budget alone in its frame', async () => {
    const h = harness([1, 2, 3], 1_398_102); // a Welcome of 1 MiB
    h.session.wake();
    await h.settle();
    expect(h.frames.map((f) => f.seqs)).toEqual([[1], [2], [3]]);
  });
});

describe('ChatSession.read (wake-all waits for it: the read covering the wake has ended)', () => {
  /** A session whose queue reads the test answers one at a time (`answer()`: the queue as it was when asked). */
  function slow(queue: number[]) {
    const h = harness(queue);
    const inbox = (
      h.session as unknown as { delivery: { inbox: (d: unknown, a: number) => Promise<unknown> } }
    ).delivery;
    const asked: { after: number; answer: () => void; fail: () => void }[] = [];
    inbox.inbox = (_d, after) => {
      const snapshot = h.queue.filter((s) => s > after).map((s) => env(s));
      return new Promise((resolve, reject) =>
        asked.push({ after, answer: () => resolve(snapshot), fail: () => reject(new Error('pool timeout')) }),
      );
    };
    const answer = async () => {
      asked.shift()!.answer();
      await new Promise((r) => setImmediate(r));
    };
    return { ...h, asked, answer };
  }

  it('resolves after the read that includes a wake arriving during it', async () => {
    const h = slow([1]);
    const ended: string[] = [];
    void h.session.read().then(() => ended.push('first'));
    await h.answer(); // seq 1 sent; asked again after 1 (nothing there yet)
    h.queue.push(2);
    void h.session.read().then(() => ended.push('second')); // during the read: it reads again before ending
    await h.answer(); // the answer asked before seq 2: nothing
    expect(h.asked.map((a) => a.after)).toEqual([1]); // read again for the wake
    expect(ended).toEqual([]);
    await h.answer(); // seq 2
    await h.answer(); // nothing after 2: the read ends
    expect(h.sent).toEqual([1, 2]);
    expect(ended).toEqual(['first', 'second']);
    expect(h.asked).toEqual([]);
  });

  it('resolves when the read fails (its retry is a read of its own), and on a closed socket at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const h = slow([1]);
      let ended = false;
      void h.session.read().then(() => (ended = true));
      h.asked.shift()!.fail();
      await vi.waitFor(() => expect(ended).toBe(true));
      expect(h.asked).toEqual([]); // the retry waits its second
      h.ws.readyState = 3;
      await h.session.read();
      expect(h.asked).toEqual([]); // no read on a closed socket
    } finally {
      vi.useRealTimers();
    }
  });

  it('resolves as soon as the socket is backed up (the device is slow, not the database), and reads once it drains', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const h = slow([1]);
      h.ws.bufferedAmount = 5 * 1024 * 1024; // over the 4 MiB high-water mark
      let ended = false;
      void h.session.read().then(() => (ended = true));
      await vi.waitFor(() => expect(ended).toBe(true));
      expect(h.asked).toEqual([]); // nothing read while backed up
      h.ws.bufferedAmount = 0;
      await vi.advanceTimersByTimeAsync(60);
      expect(h.asked.map((a) => a.after)).toEqual([0]); // the socket's own loop reads once it drains
      await h.answer();
      await h.answer();
      expect(h.sent).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
  });
});
