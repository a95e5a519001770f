import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { serviceGate, TcpProxy, testLogger, testNatsUrl } from '@pakawaaz/test-support';
import type { DomainEvent, EventBus } from '../../src/events/event-bus.js';
import { consume, defineConsumer, defineEvent, eventCatalog } from '../../src/events/event-contract.js';
import { connectNatsEventBus, type NatsEventBusOptions } from '../../src/events/nats-event-bus.js';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);
const run = randomBytes(4).toString('hex');
const stream = `PKZ_TRANSIENT_${run}`;
const subjectPrefix = `pkztransient.${run}`;
const WAIT = { timeout: 10_000, interval: 20 };

const Woken = defineEvent('lab.queue.woken', z.object({ n: z.number() }), {
  examples: [{ n: 1 }],
  transient: true,
});
const catalog = eventCatalog([{ name: 'lab', events: { publishes: [Woken] } }]);

/** Transient events over NATS: core messages beside the events stream, never in it. */
describe.skipIf(!natsUp)('transient events on NATS', () => {
  const opened: EventBus[] = [];
  async function open(overrides: Partial<NatsEventBusOptions> = {}) {
    const bus = await connectNatsEventBus({
      url: natsUrl,
      logger: testLogger,
      stream,
      subjectPrefix,
      catalog,
      ...overrides,
    });
    opened.push(bus);
    return bus;
  }
  const recorder = () => {
    const seen: number[] = [];
    return {
      seen,
      handler: (e: DomainEvent) => Promise.resolve(void seen.push((e.data as { n: number }).n)),
    };
  };
  async function streamMessages(): Promise<number> {
    const nc = await connect({ servers: natsUrl });
    try {
      return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    } finally {
      await nc.close();
    }
  }

  afterAll(async () => {
    for (const b of opened) await b.close();
    const nc = await connect({ servers: natsUrl });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('reach every node subscribed now, in order, and the stream stores none', async () => {
    const [a, b, publisher] = [await open(), await open(), await open()];
    const [onA, onB] = [recorder(), recorder()];
    await a.subscribeTransient('lab.wakes', 'lab.>', onA.handler);
    await b.subscribeTransient('lab.wakes', 'lab.>', onB.handler);
    const stored = await streamMessages();
    for (let n = 1; n <= 50; n++) await publisher.signal(Woken.create({ n }));
    const all = Array.from({ length: 50 }, (_, i) => i + 1);
    await vi.waitFor(() => expect([onA.seen, onB.seen]).toEqual([all, all]), WAIT);
    expect(await streamMessages()).toBe(stored);
  });

  it('drops a message it cannot read or validate, storing no dead letter, and goes on', async () => {
    const letters: unknown[] = [];
    const node = await open({ deadLetters: { record: (l) => Promise.resolve(void letters.push(l)) } });
    const seen: number[] = [];
    const consumer = defineConsumer({
      name: 'lab.wakes',
      delivery: 'transient',
      filter: 'lab.>',
      expects: [Woken],
    });
    await consume(node, consumer, (e) => Promise.resolve(void seen.push(e.data.n)));
    const nc = await connect({ servers: natsUrl });
    try {
      const subject = `${subjectPrefix}-transient.lab.queue.woken`;
      nc.publish(subject, 'not json');
      // A domain event whose payload the consumer's schema rejects.
      nc.publish(subject, JSON.stringify({ ...Woken.create({ n: 1 }), data: { n: 'one' } }));
      await nc.flush();
    } finally {
      await nc.close();
    }
    await (await open()).signal(Woken.create({ n: 7 }));
    await vi.waitFor(() => expect(seen).toEqual([7]), WAIT);
    expect(letters).toEqual([]);
  });

  it('a node cut off misses what was signalled meanwhile, is told so on reconnecting (onGap), and hears what follows', async () => {
    const target = new URL(natsUrl);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
    const port = await proxy.start();
    try {
      const node = await open({ url: `nats://127.0.0.1:${port}` });
      const publisher = await open();
      const seen = recorder();
      let gaps = 0;
      await node.subscribeTransient('lab.wakes', 'lab.>', seen.handler, { onGap: () => void gaps++ });
      await publisher.signal(Woken.create({ n: 1 }));
      await vi.waitFor(() => expect(seen.seen).toEqual([1]), WAIT);
      await proxy.cut();
      await vi.waitFor(async () => expect((await node.health()).status).toBe('down'), WAIT);
      await publisher.signal(Woken.create({ n: 2 }));
      expect(gaps).toBe(0);
      await proxy.start(port);
      await vi.waitFor(() => expect(gaps).toBe(1), { timeout: 30_000, interval: 50 });
      await publisher.signal(Woken.create({ n: 3 }));
      await vi.waitFor(() => expect(seen.seen).toEqual([1, 3]), WAIT);
    } finally {
      await proxy.cut();
    }
  });
});
