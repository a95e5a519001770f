import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TcpProxy } from '@pakawaaz/test-support';
import { DeadLetterStore } from '../../src/events/dead-letters.js';
import { deadLetters } from '../../src/events/dead-letters.schema.js';
import { newEvent, type DomainEvent, type EventBus } from '../../src/events/event-bus.js';
import { defineConsumer, consume, expectEvent } from '../../src/events/event-contract.js';
import { EventReceipts, idempotent } from '../../src/events/event-receipts.js';
import { eventReceipts } from '../../src/events/event-receipts.schema.js';
import { Metrics } from '../../src/metrics/metrics.js';
import {
  connectNatsEventBus,
  durableName,
  EventBusUnavailableError,
  type NatsEventBusOptions,
} from '../../src/events/nats-event-bus.js';
import { platformDomain } from '../../src/platform.domain.js';
import {
  createTestDatabase,
  serviceGate,
  type TestDatabase,
  testLogger,
  testNatsUrl,
} from '@pakawaaz/test-support';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);

// One stream and subject space per run: parallel runs and earlier runs never see each other's events.
const run = randomBytes(4).toString('hex');
const stream = `PKZ_TEST_${run}`;
const subjectPrefix = `pkztest.${run}`;
const WAIT = { timeout: 10_000, interval: 20 };

describe.skipIf(!natsUp)('NATS JetStream event bus', () => {
  const opened: EventBus[] = [];
  let database: TestDatabase;
  let letters: DeadLetterStore;
  const metrics = new Metrics();

  async function open(overrides: Partial<NatsEventBusOptions> = {}): Promise<EventBus> {
    const bus = await connectNatsEventBus({
      url: natsUrl,
      logger: testLogger,
      stream,
      subjectPrefix,
      ackWaitMs: 5_000,
      retryDelayMs: 50,
      deadLetters: letters,
      ...overrides,
    });
    opened.push(bus);
    return bus;
  }

  function recorder() {
    const seen: DomainEvent[] = [];
    const handler = (e: DomainEvent) => {
      seen.push(e);
      return Promise.resolve();
    };
    return { seen, handler, ids: () => seen.map((e) => e.id) };
  }

  async function streamMessages(): Promise<number> {
    const nc = await connect({ servers: natsUrl });
    try {
      return (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
    } finally {
      await nc.close();
    }
  }

  async function deadLettered(consumer: string) {
    return database.handle.db
      .select()
      .from(deadLetters)
      .where(eq(deadLetters.consumer, consumer))
      .orderBy(asc(deadLetters.receivedAt));
  }

  async function consumerNames(): Promise<string[]> {
    const nc = await connect({ servers: natsUrl });
    try {
      const names: string[] = [];
      for await (const c of (await jetstreamManager(nc)).consumers.list(stream)) names.push(c.name);
      return names.sort();
    } finally {
      await nc.close();
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase([platformDomain]);
    letters = new DeadLetterStore(database.handle.db, metrics, testLogger);
  });

  afterAll(async () => {
    await Promise.all(opened.map((b) => b.close()));
    await database?.drop();
    const nc = await connect({ servers: natsUrl });
    try {
      await (await jetstreamManager(nc)).streams.delete(stream);
    } finally {
      await nc.close();
    }
  });

  it('creates the stream and reports health up, then down once closed', async () => {
    const bus = await open();
    expect(bus.mode).toBe('nats');
    expect(await bus.health()).toMatchObject({ status: 'up' });
    const nc = await connect({ servers: natsUrl });
    const info = await (await jetstreamManager(nc)).streams.info(stream);
    await nc.close();
    expect(info.config).toMatchObject({
      subjects: [`${subjectPrefix}.>`],
      storage: 'file',
      retention: 'limits',
      max_age: 7 * 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
    });
    await bus.close();
    expect(await bus.health()).toMatchObject({ status: 'down' });
  });

  it('delivers an event published while the consumer was stopped once it restarts, and only that one', async () => {
    const consumer = 'identity.audit-trail'; // dotted: exercises durable name sanitising
    const publisher = await open();
    const before = recorder();
    const first = await open();
    const sub = await first.subscribe(consumer, 'restart.>', before.handler);
    const e1 = newEvent('restart.sample.one', 'test', { n: 1 });
    await publisher.publish(e1);
    await vi.waitFor(() => expect(before.ids()).toEqual([e1.id]), WAIT);
    await sub.unsubscribe();
    await first.close(); // the "process" is gone

    const e2 = newEvent('restart.sample.two', 'test', { n: 2 });
    await publisher.publish(e2);

    const after = recorder();
    const second = await open();
    await second.subscribe(consumer, 'restart.>', after.handler);
    await vi.waitFor(() => expect(after.ids()).toEqual([e2.id]), WAIT);
    expect(after.seen[0]).toEqual(JSON.parse(JSON.stringify(e2)));
    expect(before.ids()).toEqual([e1.id]);
    expect(durableName(consumer)).toMatch(/^identity_audit-trail_[0-9a-f]{8}$/);
  });

  it('redelivers an event whose handler threw', async () => {
    const bus = await open();
    const attempts: string[] = [];
    await bus.subscribe('flaky', 'retry.>', (e) => {
      attempts.push(e.id);
      return attempts.length === 1 ? Promise.reject(new Error('transient failure')) : Promise.resolve();
    });
    const event = newEvent('retry.sample.taken', 'test', {});
    await bus.publish(event);
    await vi.waitFor(() => expect(attempts).toEqual([event.id, event.id]), WAIT);
  });

  it('handles an event id once, though it is published twice and delivered twice', async () => {
    const receipts = new EventReceipts(database.handle.db);
    const bus = await open();
    const consumer = 'once';
    const handled = recorder();
    const inner = idempotent(receipts, consumer, handled.handler);
    const deliveries: string[] = [];
    // Simulates a crash between handling and ack: the first delivery handles, then fails, so JetStream redelivers.
    await bus.subscribe(consumer, 'dedup.>', async (e) => {
      deliveries.push(e.id);
      await inner(e);
      if (deliveries.length === 1) throw new Error('lost before the ack');
    });
    const messagesBefore = await streamMessages();
    const event = newEvent('dedup.sample.taken', 'test', { n: 1 });
    await bus.publish(event);
    await bus.publish(event); // republished with the same id: JetStream keeps one
    expect(await streamMessages()).toBe(messagesBefore + 1);

    const marker = newEvent('dedup.sample.marker', 'test', {}); // a different id is handled normally
    await bus.publish(marker);
    // The redelivery comes after the nak delay, so possibly after the marker.
    await vi.waitFor(
      () => expect([...deliveries].sort()).toEqual([event.id, event.id, marker.id].sort()),
      WAIT,
    );
    // A delivery is counted before its handler runs: wait for the marker's handler to finish too.
    await vi.waitFor(() => expect(handled.ids().sort()).toEqual([event.id, marker.id].sort()), WAIT);
    expect(await receipts.has(consumer, event.id)).toBe(true);
    expect(await receipts.has('someone-else', event.id)).toBe(false);
    const rows = await database.handle.db
      .select()
      .from(eventReceipts)
      .where(and(eq(eventReceipts.consumer, consumer), eq(eventReceipts.eventId, event.id)));
    expect(rows).toHaveLength(1);
  });

  it('dead-letters a message that is not a JSON event (recorded as received) and keeps consuming', async () => {
    const bus = await open();
    const got = recorder();
    await bus.subscribe('robust', 'junk.>', got.handler);
    const nc = await connect({ servers: natsUrl });
    await jetstream(nc).publish(`${subjectPrefix}.junk.bad.message`, 'not json {');
    await nc.close();
    const good = newEvent('junk.good.message', 'test', {});
    await bus.publish(good);
    await vi.waitFor(() => expect(got.ids()).toEqual([good.id]), WAIT);
    expect(await deadLettered('robust')).toMatchObject([
      {
        eventId: null,
        type: 'junk.bad.message',
        kind: 'malformed',
        reason: 'not JSON',
        payload: 'not json {',
      },
    ]);
  });

  it('dead-letters a payload that fails the consumer schema at once, and one whose handler keeps failing', async () => {
    const bus = await open({ maxDeliver: 2 });
    const Sample = expectEvent('typed.sample.taken', z.object({ n: z.number().int() }));
    const consumer = defineConsumer({
      name: 'typed',
      delivery: 'durable',
      filter: 'typed.>',
      expects: [Sample],
    });
    const handled: number[] = [];
    await consume(bus, consumer, ({ data }) => {
      if (data.n === 13) return Promise.reject(new Error('unlucky'));
      handled.push(data.n);
      return Promise.resolve();
    });
    const bad = newEvent('typed.sample.taken', 'test', { n: 'S3CR3T' });
    const unlucky = newEvent('typed.sample.taken', 'test', { n: 13 });
    await bus.publish(bad);
    await bus.publish(unlucky);
    await bus.publish(newEvent('typed.sample.taken', 'test', { n: 1 }));
    await vi.waitFor(async () => expect(await deadLettered('typed')).toHaveLength(2), WAIT);
    expect(handled).toEqual([1]);
    const rows = await deadLettered('typed');
    expect(rows.find((r) => r.eventId === bad.id)).toMatchObject({
      type: 'typed.sample.taken',
      kind: 'invalid-payload',
      reason: 'data.n: Invalid input: expected number, received string',
      attempts: 1,
      payload: JSON.stringify(bad),
    });
    expect(rows.find((r) => r.eventId === unlucky.id)).toMatchObject({
      kind: 'handler-failed',
      reason: 'unlucky',
      attempts: 2,
    });
    const counter = await metrics.registry.getSingleMetricAsString('pakawaaz_event_dead_letters_total');
    expect(counter).toContain('pakawaaz_event_dead_letters_total{consumer="typed",kind="invalid-payload"} 1');
    expect(counter).toContain('pakawaaz_event_dead_letters_total{consumer="typed",kind="handler-failed"} 1');
  });

  it('broadcasts each new event to every node: none of the past, nothing left on the server after', async () => {
    const publisher = await open();
    await publisher.publish(newEvent('cast.sample.old', 'test', {}));
    const before = await consumerNames();
    const nodes = [recorder(), recorder()];
    const buses = [await open(), await open()];
    const subs = await Promise.all(
      buses.map((b, i) => b.subscribeBroadcast('test.cache', 'cast.>', nodes[i]!.handler)),
    );
    expect((await consumerNames()).length).toBe(before.length + 2);
    const events = [1, 2, 3].map((n) => newEvent('cast.sample.new', 'test', { n }));
    for (const e of events) await publisher.publish(e);
    for (const node of nodes)
      await vi.waitFor(() => expect(node.ids()).toEqual(events.map((e) => e.id)), WAIT);
    await Promise.all(subs.map((s) => s.unsubscribe()));
    expect(await consumerNames()).toEqual(before);
  });

  it('keeps a broadcast subscription across a reconnect, delivering what was published meanwhile', async () => {
    const target = new URL(natsUrl);
    const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 4222) });
    const port = await proxy.start();
    try {
      const node = await open({ url: `nats://127.0.0.1:${port}` });
      const direct = await open();
      const seen = recorder();
      await node.subscribeBroadcast('test.reconnect', 'gap.>', seen.handler);
      const first = newEvent('gap.sample.before', 'test', {});
      await direct.publish(first);
      await vi.waitFor(() => expect(seen.ids()).toEqual([first.id]), WAIT);

      await proxy.cut();
      await vi.waitFor(async () => expect((await node.health()).status).toBe('down'), WAIT);
      const during = newEvent('gap.sample.during', 'test', {});
      await direct.publish(during);
      await proxy.start(port);
      const after = newEvent('gap.sample.after', 'test', {});
      await vi.waitFor(async () => expect((await node.health()).status).toBe('up'), WAIT);
      await direct.publish(after);
      await vi.waitFor(() => expect(seen.ids()).toEqual([first.id, during.id, after.id]), {
        timeout: 30_000,
        interval: 50,
      });
    } finally {
      await proxy.cut();
    }
  });
});

describe('connectNatsEventBus without a server', () => {
  it('rejects with a message naming the URL and the fix', async () => {
    const attempt = connectNatsEventBus({ url: 'nats://127.0.0.1:1', logger: testLogger });
    await expect(attempt).rejects.toBeInstanceOf(EventBusUnavailableError);
    await expect(attempt).rejects.toThrow(
      /Cannot reach NATS at nats:\/\/127\.0\.0\.1:1.*nats-server -js.*unset NATS_URL/,
    );
  });
});
