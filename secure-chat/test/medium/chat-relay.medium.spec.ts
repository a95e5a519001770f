import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectNatsEventBus, eventCatalog, platformDomain, type EventBus } from '@pakawaaz/platform';
import { serviceGate, TcpProxy, testLogger, testNatsUrl } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { HANDED_CHARS } from '../../src/secure-chat.events.js';
import { ChatHub, type ChatSession } from '../../src/ws/chat-hub.js';
import { ChatRelay } from '../../src/ws/chat-relay.js';
import { ANSWER_WAIT_MS } from '../../src/ws/held-asks.js';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);
const run = randomBytes(4).toString('hex');
const stream = `PKZ_CHATTEST_${run}`;
const subjectPrefix = `pkzchattest.${run}`;
const WAIT = { timeout: 10_000, interval: 25 };

async function streamMessages(): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}

const session = (deviceId: string) => {
  const s: ChatSession & { woken: number; offered: unknown[]; sent: unknown[]; closed: number[] } = {
    deviceId,
    woken: 0,
    offered: [],
    sent: [],
    closed: [],
    wake: () => void s.woken++,
    read: () => (s.woken++, Promise.resolve()),
    offer: (envelopes) => void (s.woken++, s.offered.push(...envelopes)),
    keyPackagesLow: () => undefined,
    send: (frame) => void s.sent.push(frame),
    close: (code) => void s.closed.push(code),
  };
  return s;
};

/**
 * Two nodes of a cluster on NATS: a message queued on one wakes the device connected to the other; a call signal
 * reaches it; the node that queued pushes "check in" only the devices connected to neither (cluster presence); a
 * device removed from chat on one has its socket on the other closed.
 */
describe.skipIf(!natsUp)('chat wakes between cluster nodes (NATS)', () => {
  const buses: EventBus[] = [];
  const relays: ChatRelay[] = [];
  const hubs: ChatHub[] = [];
  const pushes: string[][] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const bus = await connectNatsEventBus({
        url: natsUrl,
        logger: testLogger,
        stream,
        subjectPrefix,
        catalog: eventCatalog([platformDomain, secureChatDomain]),
      });
      const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushes.push([...ids])) });
      const relay = new ChatRelay(hub, bus, testLogger);
      await relay.onModuleInit();
      buses.push(bus);
      hubs.push(hub);
      relays.push(relay);
    }
  }, 30_000);

  afterAll(async () => {
    for (const r of relays) await r.onModuleDestroy();
    for (const b of buses) await b.close();
    const nc = await connect({ servers: natsUrl });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('wakes a socket held by the other node, and only there', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    const onA = session(randomUUID());
    b.add(onB);
    a.add(onA);
    a.queued([onB.deviceId, onA.deviceId]);
    // Local at once; remote through NATS.
    expect(onA.woken).toBe(1);
    await vi.waitFor(() => expect(onB.woken).toBe(1), { timeout: 10_000, interval: 25 });
    // Node A does not act on its own event: onA was woken once, directly.
    await new Promise((r) => setTimeout(r, 300));
    expect(onA.woken).toBe(1);
    expect(onB.woken).toBe(1);
  });

  // A call signal for a device held by the other node reaches its socket, once.
  it('a ring on node A reaches the callee on node B (and its caller-side device on A at once); the offline one is pushed', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const callee = session(randomUUID());
    const observer = session(randomUUID());
    const offline = randomUUID();
    b.add(callee);
    a.add(observer);
    const ring = {
      type: 'call-ring' as const,
      callId: randomUUID(),
      groupId: 'Z3JvdXAtcmVsYXk',
      kind: 'video' as const,
      by: { deviceId: randomUUID(), userId: randomUUID() },
      ringUntil: new Date(Date.now() + 30_000).toISOString(),
    };
    a.signal([callee.deviceId, observer.deviceId, offline], ring, true);
    expect(observer.sent).toEqual([ring]); // local at once
    await vi.waitFor(() => expect(callee.sent).toEqual([ring]), { timeout: 10_000, interval: 25 });
    // Node B answers that it holds the callee: only the device connected nowhere is pushed (a ring push).
    await vi.waitFor(() => expect(pushes.flat()).toContain(offline), { timeout: 10_000, interval: 25 });
    await new Promise((r) => setTimeout(r, ANSWER_WAIT_MS + 300));
    expect(pushes.flat()).not.toContain(callee.deviceId);
    expect(pushes.flat()).not.toContain(observer.deviceId);
    // The relayed frame is the ring itself, validated on the way (a bad one is not delivered); nothing twice.
    await new Promise((r) => setTimeout(r, 300));
    expect(callee.sent).toHaveLength(1);
    expect(observer.sent).toHaveLength(1);
  });

  it('a message queued on node A for a device connected to node B pushes it no check-in; one connected nowhere is pushed, once', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    const nowhere = randomUUID();
    b.add(onB);
    const before = pushes.length;
    a.queued([onB.deviceId, nowhere]);
    await vi.waitFor(() => expect(onB.woken).toBe(1), { timeout: 10_000, interval: 25 });
    await vi.waitFor(() => expect(pushes.flat()).toContain(nowhere), { timeout: 10_000, interval: 25 });
    // Past every answer window: node B's device was never pushed, by either node; the other one once.
    await new Promise((r) => setTimeout(r, ANSWER_WAIT_MS + 300));
    const since = pushes.slice(before).flat();
    expect(since).not.toContain(onB.deviceId);
    expect(since.filter((d) => d === nowhere)).toHaveLength(1);
  });

  it('a device that moves from node B to node A is pushed while connected nowhere, and not once it is back', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const phone = session(randomUUID());
    const leaveB = b.add(phone);
    leaveB(); // its link dropped: connected nowhere
    b.queued([phone.deviceId]);
    await vi.waitFor(() => expect(pushes.flat()).toContain(phone.deviceId), {
      timeout: 10_000,
      interval: 25,
    });
    const before = pushes.length;
    // It reconnects to node A; a message queued on node B (whose own throttle is 30 s) pushes nothing.
    a.add(phone);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 31_000 });
    try {
      b.queued([phone.deviceId]);
      await vi.waitFor(() => expect(phone.woken).toBeGreaterThan(0), { timeout: 10_000, interval: 25 });
      await new Promise((r) => setTimeout(r, ANSWER_WAIT_MS + 300));
    } finally {
      vi.useRealTimers();
    }
    expect(pushes.slice(before).flat()).not.toContain(phone.deviceId);
  });

  /** Node A has node `holder`'s answer for the device (remembered). */
  const rememberedOnA = (deviceId: string, holder: ChatRelay) =>
    vi.waitFor(() => expect(relays[0]!.presumedHolder(deviceId)).toBe(holder.node), WAIT);

  /** The events node `i` signalled of this type since the spy started (their data). */
  const signalled = (i: number, type: string) => {
    const spy = vi.spyOn(buses[i]!, 'signal');
    return {
      data: () =>
        spy.mock.calls.filter(([e]) => e.type === type).map(([e]) => e.data as Record<string, unknown>),
      restore: () => spy.mockRestore(),
    };
  };

  it("remembers node B's answer: the next wakes for its device ask nothing, name node B, and push nothing", async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    b.add(onB);
    const answers = signalled(1, 'secure-chat.presence.held');
    const wakes = signalled(0, 'secure-chat.queue.woken');
    const before = pushes.length;
    try {
      for (let n = 1; n <= 3; n++) {
        a.queued([onB.deviceId]);
        await vi.waitFor(() => expect(onB.woken).toBe(n), WAIT);
        // The first answer is in before the next wake (it is what the next one remembers).
        if (n === 1) await rememberedOnA(onB.deviceId, relays[1]!);
      }
      await new Promise((r) => setTimeout(r, ANSWER_WAIT_MS + 300));
      expect(answers.data()).toHaveLength(1);
      const sent = wakes.data();
      expect(sent).toHaveLength(3);
      expect(sent[0]!.ask).toBeDefined();
      for (const w of sent.slice(1)) {
        expect(w.ask).toBeUndefined();
        expect(w.presumed).toEqual([{ node: relays[1]!.node, deviceIds: [onB.deviceId] }]);
      }
      expect(pushes.slice(before).flat()).not.toContain(onB.deviceId);
    } finally {
      answers.restore();
      wakes.restore();
    }
  });

  it('a remembered device that leaves node B is released: the next wake asks again, and it is pushed', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const phone = session(randomUUID());
    const leave = b.add(phone);
    const releases = signalled(1, 'secure-chat.presence.released');
    try {
      a.queued([phone.deviceId]);
      await vi.waitFor(() => expect(phone.woken).toBe(1), WAIT);
      await rememberedOnA(phone.deviceId, relays[1]!);
      leave();
      await vi.waitFor(
        () => expect(releases.data()).toEqual([{ node: relays[1]!.node, deviceIds: [phone.deviceId] }]),
        WAIT,
      );
      await vi.waitFor(() => expect(relays[0]!.presumedHolder(phone.deviceId)).toBeUndefined(), WAIT);
      const wakes = signalled(0, 'secure-chat.queue.woken');
      a.queued([phone.deviceId]);
      await vi.waitFor(() => expect(pushes.flat()).toContain(phone.deviceId), WAIT);
      expect(wakes.data()[0]!.ask).toBeDefined();
      expect(wakes.data()[0]!.presumed).toBeUndefined();
      wakes.restore();
    } finally {
      releases.restore();
    }
  });

  it('a device presumed on node B that is not there any more (its release lost) is pushed by node B at once', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const phone = session(randomUUID());
    const leave = b.add(phone);
    a.queued([phone.deviceId]);
    await vi.waitFor(() => expect(phone.woken).toBe(1), WAIT);
    await rememberedOnA(phone.deviceId, relays[1]!);
    const hook = b.relayReleased;
    b.relayReleased = undefined; // the release is lost
    leave();
    b.relayReleased = hook;
    const started = performance.now();
    a.queued([phone.deviceId]);
    await vi.waitFor(() => expect(pushes.flat()).toContain(phone.deviceId), WAIT);
    // Node B's push, not node A's after an unanswered ask (which would wait ANSWER_WAIT_MS).
    expect(performance.now() - started).toBeLessThan(ANSWER_WAIT_MS);
  });

  it('a wake that cannot be sent pushes the devices it presumed held at once (no holder heard of it)', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    b.add(onB);
    a.queued([onB.deviceId]);
    await vi.waitFor(() => expect(onB.woken).toBe(1), WAIT);
    await rememberedOnA(onB.deviceId, relays[1]!);
    const failing = vi.spyOn(buses[0]!, 'signal').mockRejectedValueOnce(new Error('NATS is away'));
    try {
      a.queued([onB.deviceId]);
      await vi.waitFor(() => expect(pushes.flat()).toContain(onB.deviceId), {
        timeout: ANSWER_WAIT_MS,
        interval: 10,
      });
    } finally {
      failing.mockRestore();
    }
  });

  /** A third node on its own connection (through `url`), its hub pushing into `pushed` when `push` is set. */
  const thirdNode = async (url: string, push: boolean) => {
    const bus = await connectNatsEventBus({
      url,
      logger: testLogger,
      stream,
      subjectPrefix,
      catalog: eventCatalog([platformDomain, secureChatDomain]),
    });
    const pushed: string[] = [];
    const hub = new ChatHub(
      push ? { notify: (ids) => Promise.resolve(void pushed.push(...ids)) } : undefined,
    );
    const relay = new ChatRelay(hub, bus, testLogger);
    await relay.onModuleInit();
    return { bus, hub, relay, pushed, stop: async () => (await relay.onModuleDestroy(), await bus.close()) };
  };

  it('a node that cannot push is asked about every time: its answers are not remembered', async () => {
    const c = await thirdNode(natsUrl, false);
    try {
      const onC = session(randomUUID());
      c.hub.add(onC);
      const wakes = signalled(0, 'secure-chat.queue.woken');
      for (let n = 1; n <= 2; n++) {
        hubs[0]!.queued([onC.deviceId]);
        await vi.waitFor(() => expect(onC.woken).toBe(n), WAIT);
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(wakes.data().map((w) => [w.ask !== undefined, w.presumed])).toEqual([
        [true, undefined],
        [true, undefined],
      ]);
      wakes.restore();
    } finally {
      await c.stop();
    }
  });

  it('a node cut off from NATS pushes, when it is back, a remembered device that left it meanwhile', async () => {
    const target = new URL(natsUrl);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
    const port = await proxy.start();
    const c = await thirdNode(`nats://127.0.0.1:${port}`, true);
    try {
      const phone = session(randomUUID());
      const leave = c.hub.add(phone);
      hubs[0]!.queued([phone.deviceId]);
      await vi.waitFor(() => expect(phone.woken).toBe(1), WAIT);
      await rememberedOnA(phone.deviceId, c.relay);
      await proxy.cut();
      await vi.waitFor(async () => expect((await c.bus.health()).status).toBe('down'), WAIT);
      leave(); // its release cannot go out now
      hubs[0]!.queued([phone.deviceId]); // presumed on node C, which does not hear it
      await new Promise((r) => setTimeout(r, 300));
      expect(c.pushed).toEqual([]);
      await proxy.start(port);
      await vi.waitFor(() => expect(c.pushed).toEqual([phone.deviceId]), { timeout: 30_000, interval: 50 });
    } finally {
      await c.stop();
      await proxy.cut();
    }
  });

  it('hands the envelopes to the socket on node B with the wake (no queue read there), and stores none of it', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    const reads = session(randomUUID()); // its envelope is too big to hand over: it reads its queue
    b.add(onB);
    b.add(reads);
    const stored = await streamMessages();
    const envelope = (seq: number, body: string) => ({
      seq,
      groupId: 'Z3JvdXAtb25l',
      senderDevice: randomUUID(),
      kind: 'application',
      body,
      at: new Date().toISOString(),
    });
    const mine = [envelope(7, 'AAEC'), envelope(8, 'AwQF')];
    a.handOff([
      ...mine.map((e) => ({ deviceId: onB.deviceId, envelope: e })),
      { deviceId: reads.deviceId, envelope: envelope(3, 'A'.repeat(HANDED_CHARS)) },
    ]);
    await vi.waitFor(() => expect(onB.offered).toEqual(mine), { timeout: 10_000, interval: 25 });
    await vi.waitFor(() => expect(reads.woken).toBe(1), { timeout: 10_000, interval: 25 });
    expect(reads.offered).toEqual([]);
    // Wakes, answers and call signals are core NATS messages: the events stream holds none of them.
    expect(await streamMessages()).toBe(stored);
  });

  it("a node cut off from NATS reads every socket's queue when it is back (the wakes it missed are lost)", async () => {
    const target = new URL(natsUrl);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
    const port = await proxy.start();
    const bus = await connectNatsEventBus({
      url: `nats://127.0.0.1:${port}`,
      logger: testLogger,
      stream,
      subjectPrefix,
      catalog: eventCatalog([platformDomain, secureChatDomain]),
    });
    const hub = new ChatHub();
    const relay = new ChatRelay(hub, bus, testLogger);
    try {
      await relay.onModuleInit();
      const away = session(randomUUID());
      hub.add(away);
      await proxy.cut();
      await vi.waitFor(async () => expect((await bus.health()).status).toBe('down'), WAIT);
      hubs[0]!.queued([away.deviceId]); // lost: the cut node is not subscribed now
      await new Promise((r) => setTimeout(r, 300));
      expect(away.woken).toBe(0);
      await proxy.start(port);
      await vi.waitFor(() => expect(away.woken).toBe(1), { timeout: 30_000, interval: 50 });
    } finally {
      await relay.onModuleDestroy();
      await bus.close();
      await proxy.cut();
    }
  });

  it('a device removed from chat on node A has its socket on node B closed, and only that device', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const removedOnA = session(randomUUID());
    const removedOnB = session(removedOnA.deviceId); // the same device, a second socket on the other node
    const bystander = session(randomUUID());
    a.add(removedOnA);
    b.add(removedOnB);
    b.add(bystander);
    const localOnA = vi.spyOn(a, 'removedLocal');
    a.removed(removedOnA.deviceId);
    expect(removedOnA.closed).toEqual([4403]); // local at once
    await vi.waitFor(() => expect(removedOnB.closed).toEqual([4403]), { timeout: 10_000, interval: 25 });
    expect(b.connected(removedOnB.deviceId)).toBe(false);
    // Node A does not act on its own event (closed once); the other device on node B stays.
    await new Promise((r) => setTimeout(r, 300));
    expect(localOnA).toHaveBeenCalledTimes(1);
    localOnA.mockRestore();
    expect(removedOnA.closed).toEqual([4403]);
    expect(bystander.closed).toEqual([]);
    expect(b.connected(bystander.deviceId)).toBe(true);
  });

  // Last: node B stops. Its devices are pushed by node A from then on (nobody answers for them).
  it('a node that stopped answers nothing: the devices it held are pushed after the wait', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    b.add(onB);
    await relays[1]!.onModuleDestroy();
    const started = Date.now();
    a.queued([onB.deviceId]);
    await vi.waitFor(() => expect(pushes.flat()).toContain(onB.deviceId), { timeout: 10_000, interval: 25 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(ANSWER_WAIT_MS - 50);
    expect(onB.woken).toBe(0);
  });
});
