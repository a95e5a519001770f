import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { DomainEvent } from './event-bus.js';
import {
  checkEventContracts,
  consume,
  defineConsumer,
  defineEvent,
  eventCatalog,
  expectEvent,
} from './event-contract.js';
import { InProcessEventBus } from './in-process-event-bus.js';

// A hint ("read your queue") and a fact ("a sample was taken"): one is signalled, the other published.
const Woken = defineEvent('lab.queue.woken', z.object({ ids: z.array(z.string()) }), {
  examples: [{ ids: ['d-1'] }],
  transient: true,
});
const Taken = defineEvent('lab.sample.taken', z.object({ n: z.number() }), { examples: [{ n: 1 }] });
const catalog = eventCatalog([{ name: 'lab', events: { publishes: [Woken, Taken] } }]);

function recorder() {
  const seen: DomainEvent[] = [];
  return { seen, handler: (e: DomainEvent) => Promise.resolve(void seen.push(e)) };
}

describe('transient events', () => {
  it('are declared as such, and sent only with signal (a fact only with publish)', async () => {
    expect([Woken.transient, Taken.transient]).toEqual([true, false]);
    const bus = new InProcessEventBus(pino({ level: 'silent' }), { catalog });
    try {
      await expect(bus.publish(Woken.create({ ids: [] }))).rejects.toThrow(
        'a transient event: send it with signal()',
      );
      await expect(bus.signal(Taken.create({ n: 1 }))).rejects.toThrow('not a transient event: publish() it');
      await expect(bus.signal(Woken.create({ ids: ['d-1'] }))).resolves.toBeUndefined();
    } finally {
      await bus.close();
    }
  });

  it('reach every transient subscription in process, and nothing else; published events never reach them', async () => {
    const bus = new InProcessEventBus(pino({ level: 'silent' }), { catalog });
    const [nodeA, nodeB, durable, broadcast] = [recorder(), recorder(), recorder(), recorder()];
    try {
      await bus.subscribeTransient('wakes', 'lab.>', nodeA.handler);
      await bus.subscribeTransient('wakes', 'lab.>', nodeB.handler);
      await bus.subscribe('samples', 'lab.>', durable.handler);
      await bus.subscribeBroadcast('cache', 'lab.>', broadcast.handler);
      const hint = Woken.create({ ids: ['d-1'] });
      const fact = Taken.create({ n: 2 });
      await bus.signal(hint);
      await bus.publish(fact);
      await vi.waitFor(() => expect(nodeB.seen).toHaveLength(1), { timeout: 2_000, interval: 5 });
      await vi.waitFor(() => expect(broadcast.seen).toHaveLength(1), { timeout: 2_000, interval: 5 });
    } finally {
      await bus.close();
    }
    expect(nodeA.seen.map((e) => e.id)).toEqual([nodeA.seen[0]!.id]);
    expect(nodeA.seen[0]!.type).toBe(Woken.type);
    expect(nodeB.seen[0]!.type).toBe(Woken.type);
    expect(durable.seen.map((e) => e.type)).toEqual([Taken.type]);
    expect(broadcast.seen.map((e) => e.type)).toEqual([Taken.type]);
  });

  it('consume() subscribes a transient consumer as transient', async () => {
    const bus = new InProcessEventBus(pino({ level: 'silent' }), { catalog });
    const seen: unknown[] = [];
    try {
      const consumer = defineConsumer({
        name: 'lab.wakes',
        delivery: 'transient',
        filter: Woken.type,
        expects: [Woken],
      });
      await consume(bus, consumer, (e) => Promise.resolve(void seen.push(e.data)), {
        onGap: () => undefined,
      });
      await bus.signal(Woken.create({ ids: ['d-2'] }));
      await vi.waitFor(() => expect(seen).toEqual([{ ids: ['d-2'] }]), { timeout: 2_000, interval: 5 });
    } finally {
      await bus.close();
    }
  });

  it('the contract check reports a transient event expected by a stored consumer, and the reverse', () => {
    const consumer = (delivery: 'durable' | 'broadcast' | 'transient', type: string) =>
      defineConsumer({
        name: `other.${delivery}`,
        delivery,
        filter: 'lab.>',
        expects: [expectEvent(type, z.object({}))],
      });
    const lab = { name: 'lab', events: { publishes: [Woken, Taken] } };
    const ok = [consumer('transient', Woken.type)];
    expect(checkEventContracts([lab, { name: 'other', events: { consumes: ok } }])).toEqual([]);
    const wrong = [consumer('durable', Woken.type), consumer('transient', Taken.type)];
    expect(checkEventContracts([lab, { name: 'other', events: { consumes: wrong } }])).toEqual([
      "other's consumer other.durable expects the transient lab.queue.woken: only a transient consumer gets it",
      "other's transient consumer other.transient expects lab.sample.taken, which is not transient: it never gets it",
    ]);
  });
});
