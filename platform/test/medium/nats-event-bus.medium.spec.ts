import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newEvent, type DomainEvent, type EventBus } from '../../src/events/event-bus.js';
import { EventReceipts, idempotent } from '../../src/events/event-receipts.js';
import { eventReceipts } from '../../src/events/event-receipts.schema.js';
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

  async function open(overrides: Partial<NatsEventBusOptions> = {}): Promise<EventBus> {
    const bus = await connectNatsEventBus({
      url: natsUrl,
      logger: testLogger,
      stream,
      subjectPrefix,
      ackWaitMs: 5_000,
      retryDelayMs: 50,
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

  beforeAll(async () => {
    database = await createTestDatabase([platformDomain]);
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
    expect(handled.ids().sort()).toEqual([event.id, marker.id].sort());
    expect(await receipts.has(consumer, event.id)).toBe(true);
    expect(await receipts.has('someone-else', event.id)).toBe(false);
    const rows = await database.handle.db
      .select()
      .from(eventReceipts)
      .where(and(eq(eventReceipts.consumer, consumer), eq(eventReceipts.eventId, event.id)));
    expect(rows).toHaveLength(1);
  });

  it('terminates a message that is not a JSON event and keeps consuming', async () => {
    const bus = await open();
    const got = recorder();
    await bus.subscribe('robust', 'junk.>', got.handler);
    const nc = await connect({ servers: natsUrl });
    await jetstream(nc).publish(`${subjectPrefix}.junk.bad.message`, 'not json {');
    await nc.close();
    const good = newEvent('junk.good.message', 'test', {});
    await bus.publish(good);
    await vi.waitFor(() => expect(got.ids()).toEqual([good.id]), WAIT);
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
