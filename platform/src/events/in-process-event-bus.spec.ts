import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { DeadLetter, DeadLetterSink } from './dead-letters.js';
import { InvalidEventError, newEvent, type DomainEvent } from './event-bus.js';
import { defineEvent, eventCatalog } from './event-contract.js';
import { InProcessEventBus, type InProcessEventBusOptions } from './in-process-event-bus.js';

const buses: InProcessEventBus[] = [];

function setup(options: InProcessEventBusOptions = {}) {
  const letters: DeadLetter[] = [];
  const deadLetters: DeadLetterSink = {
    record: (letter) => {
      letters.push(letter);
      return Promise.resolve();
    },
  };
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const bus = new InProcessEventBus(pino({ level: 'warn' }, stream), {
    retryBaseMs: 5,
    deadLetters,
    ...options,
  });
  buses.push(bus);
  return { bus, letters, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function recorder() {
  const seen: DomainEvent[] = [];
  const handler = (e: DomainEvent) => {
    seen.push(e);
    return Promise.resolve();
  };
  return { seen, handler, types: () => seen.map((e) => e.type) };
}

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

describe('InProcessEventBus', () => {
  it('delivers each event to the subscriptions whose filter matches', async () => {
    const { bus } = setup();
    const prefix = recorder();
    const exact = recorder();
    const all = recorder();
    const other = recorder();
    await bus.subscribe('prefix', 'identity.>', prefix.handler);
    await bus.subscribe('exact', 'identity.operator.created', exact.handler);
    await bus.subscribe('all', '>', all.handler);
    await bus.subscribe('other', 'device-mgmt.>', other.handler);

    await bus.publish(newEvent('identity.operator.created', 'identity', { id: 'op-1' }));
    await bus.publish(newEvent('identity.session.revoked', 'identity', {}));
    await bus.publish(newEvent('identityx.thing.happened', 'test', {}));
    await bus.close(); // waits for every delivery

    expect(prefix.types().sort()).toEqual(['identity.operator.created', 'identity.session.revoked']);
    expect(exact.types()).toEqual(['identity.operator.created']);
    expect(all.types().sort()).toEqual([
      'identity.operator.created',
      'identity.session.revoked',
      'identityx.thing.happened',
    ]);
    expect(other.seen).toEqual([]);
  });

  it('hands each consumer its own JSON copy of the event', async () => {
    const { bus } = setup();
    const a = recorder();
    const b = recorder();
    await bus.subscribe('a', '>', a.handler);
    await bus.subscribe('b', '>', b.handler);
    const event = newEvent('lab.sample.taken', 'lab', { at: new Date('2030-01-01T00:00:00Z'), tags: ['x'] });
    await bus.publish(event);
    await bus.close();
    expect(a.seen[0]).toEqual({ ...event, data: { at: '2030-01-01T00:00:00.000Z', tags: ['x'] } });
    expect(a.seen[0]).not.toBe(b.seen[0]);
    expect(a.seen[0]?.data).not.toBe(b.seen[0]?.data);
  });

  it('delivers asynchronously, never inside the publisher call stack', async () => {
    const { bus } = setup();
    const order: string[] = [];
    await bus.subscribe('c', '>', () => {
      order.push('handled');
      return Promise.reject(new Error('handler failures never reach the publisher'));
    });
    const published = bus.publish(newEvent('lab.sample.taken', 'lab', {}));
    order.push('publish returned');
    await published;
    await Promise.resolve();
    order.push('publish settled');
    await vi.waitFor(() => expect(order).toContain('handled'), { timeout: 2_000, interval: 5 });
    expect(order.slice(0, 3)).toEqual(['publish returned', 'publish settled', 'handled']);
  });

  it('retries a handler that throws, with the same event, until it succeeds', async () => {
    const { bus, logs } = setup({ maxAttempts: 5 });
    const ids: string[] = [];
    await bus.subscribe('flaky', '>', (e) => {
      ids.push(e.id);
      return ids.length < 3 ? Promise.reject(new Error(`boom ${ids.length}`)) : Promise.resolve();
    });
    const event = newEvent('core-network.sim.barred', 'core-network', { imsi: '001010000000001' });
    await bus.publish(event);
    await vi.waitFor(() => expect(ids).toHaveLength(3), { timeout: 2_000, interval: 5 });
    await bus.close();
    expect(ids).toEqual([event.id, event.id, event.id]);
    expect(logs().filter((l) => l.msg === 'event handler failed; will retry')).toHaveLength(2);
    expect(logs().some((l) => String(l.msg).includes('dead-lettered'))).toBe(false);
  });

  it('dead-letters after the last attempt, logging the event id and type but never its data', async () => {
    const { bus, logs, letters } = setup({ maxAttempts: 3 });
    let calls = 0;
    await bus.subscribe('broken', '>', () => {
      calls++;
      return Promise.reject(new Error('always'));
    });
    const event = newEvent('identity.otp.issued', 'identity', { secretMarker: 'S3CR3T-DATA' });
    await bus.publish(event);
    await vi.waitFor(
      () => expect(logs().some((l) => l.msg === 'event dead-lettered: handler kept failing')).toBe(true),
      { timeout: 2_000, interval: 5 },
    );
    await bus.close();
    expect(calls).toBe(3);
    const deadLetter = logs().find((l) => l.msg === 'event dead-lettered: handler kept failing');
    expect(deadLetter).toMatchObject({
      level: 50,
      consumer: 'broken',
      eventId: event.id,
      eventType: 'identity.otp.issued',
      attempts: 3,
    });
    expect(JSON.stringify(logs())).not.toContain('S3CR3T-DATA');
    expect(letters).toEqual([
      {
        consumer: 'broken',
        eventId: event.id,
        type: 'identity.otp.issued',
        kind: 'handler-failed',
        reason: 'always',
        payload: JSON.stringify(event),
        attempts: 3,
      },
    ]);
  });

  it('dead-letters an event its handler rejects as invalid at once, without retrying, and keeps delivering', async () => {
    const { bus, logs, letters } = setup({ maxAttempts: 5 });
    const handled: unknown[] = [];
    await bus.subscribe('strict', 'lab.>', (e) => {
      const n = (e.data as { n?: unknown }).n;
      if (typeof n !== 'number') return Promise.reject(new InvalidEventError('data.n: expected number'));
      handled.push(n);
      return Promise.resolve();
    });
    const bad = newEvent('lab.sample.taken', 'lab', { n: 'S3CR3T-DATA' });
    await bus.publish(bad);
    await bus.publish(newEvent('lab.sample.taken', 'lab', { n: 2 }));
    await bus.close();
    expect(handled).toEqual([2]);
    expect(letters).toMatchObject([
      { consumer: 'strict', eventId: bad.id, kind: 'invalid-payload', reason: 'data.n: expected number' },
    ]);
    expect(letters[0]?.attempts).toBe(1);
    expect(logs().find((l) => l.msg === 'event dead-lettered: payload failed validation')).toMatchObject({
      level: 50,
      consumer: 'strict',
      eventId: bad.id,
    });
    expect(logs().some((l) => l.msg === 'event handler failed; will retry')).toBe(false);
    expect(JSON.stringify(logs())).not.toContain('S3CR3T-DATA');
  });

  it('shares the events of one consumer name between its subscriptions', async () => {
    const { bus } = setup();
    const first = recorder();
    const second = recorder();
    const other = recorder();
    await bus.subscribe('worker', 'lab.>', first.handler);
    const secondSub = await bus.subscribe('worker', 'lab.>', second.handler);
    await bus.subscribe('audit', 'lab.>', other.handler);

    const events = [1, 2, 3, 4].map((n) => newEvent('lab.sample.taken', 'lab', { n }));
    for (const e of events) await bus.publish(e);
    await vi.waitFor(() => expect(first.seen.length + second.seen.length).toBe(4), {
      timeout: 2_000,
      interval: 5,
    });
    const shared = [...first.seen, ...second.seen].map((e) => e.id).sort();
    expect(shared).toEqual(events.map((e) => e.id).sort());
    expect(first.seen).toHaveLength(2);
    expect(second.seen).toHaveLength(2);

    await secondSub.unsubscribe();
    await bus.publish(newEvent('lab.sample.lost', 'lab', {}));
    await bus.close();
    expect(first.types()).toContain('lab.sample.lost');
    expect(second.types()).not.toContain('lab.sample.lost');
    expect(other.seen).toHaveLength(5);
  });

  it('close() waits for running handlers and refuses new events', async () => {
    const { bus } = setup();
    let finished = false;
    let started = false;
    await bus.subscribe('slow', '>', async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    await bus.publish(newEvent('lab.sample.taken', 'lab', {}));
    await vi.waitFor(() => expect(started).toBe(true), { timeout: 2_000, interval: 5 });
    expect(finished).toBe(false);
    await bus.close();
    expect(finished).toBe(true);
    await expect(bus.publish(newEvent('lab.sample.taken', 'lab', {}))).rejects.toThrow('event bus is closed');
    await expect(bus.subscribe('late', '>', () => Promise.resolve())).rejects.toThrow('event bus is closed');
    await expect(bus.subscribeBroadcast('late', '>', () => Promise.resolve())).rejects.toThrow(
      'event bus is closed',
    );
  });

  it('close() cancels a pending retry instead of waiting out its backoff', async () => {
    const { bus, logs } = setup({ retryBaseMs: 60_000 });
    let calls = 0;
    await bus.subscribe('flaky', '>', () => {
      calls++;
      return Promise.reject(new Error('nope'));
    });
    await bus.publish(newEvent('lab.sample.taken', 'lab', {}));
    await vi.waitFor(() => expect(calls).toBe(1), { timeout: 2_000, interval: 5 });
    const t0 = Date.now();
    await bus.close();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(calls).toBe(1);
    expect(logs().some((l) => l.msg === 'event dropped: bus closed while a retry was pending')).toBe(true);
  });

  it('rejects invalid filters and event types', async () => {
    const { bus } = setup();
    await expect(bus.subscribe('x', 'identity.*', () => Promise.resolve())).rejects.toThrow(
      'invalid event filter',
    );
    await expect(bus.subscribe('x', 'identity>', () => Promise.resolve())).rejects.toThrow(
      'invalid event filter',
    );
    const bad = { ...newEvent('lab.sample.taken', 'lab', {}), type: 'lab.>' };
    await expect(bus.publish(bad)).rejects.toThrow('invalid event type');
  });

  it('broadcasts every event to every broadcast subscription, even of one name, unlike a durable consumer', async () => {
    const { bus } = setup();
    const nodeA = recorder();
    const nodeB = recorder();
    const other = recorder();
    await bus.subscribeBroadcast('identity.session-cache', 'identity.session.>', nodeA.handler);
    const b = await bus.subscribeBroadcast('identity.session-cache', 'identity.session.>', nodeB.handler);
    await bus.subscribeBroadcast('radius', 'identity.radius-client.changed', other.handler);
    const events = [1, 2, 3].map((n) => newEvent('identity.session.revoked', 'identity', { n }));
    for (const e of events) await bus.publish(e);
    await vi.waitFor(() => expect(nodeB.seen).toHaveLength(3), { timeout: 2_000, interval: 5 });
    await b.unsubscribe();
    const last = newEvent('identity.session.revoked', 'identity', { n: 4 });
    await bus.publish(last);
    await bus.close();
    expect(nodeA.seen.map((e) => e.id)).toEqual([...events, last].map((e) => e.id));
    expect(nodeB.seen.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(nodeA.seen[0]).not.toBe(nodeB.seen[0]);
    expect(other.seen).toEqual([]);
  });

  it('does not retry a broadcast handler that throws; an invalid payload is dead-lettered', async () => {
    const { bus, logs, letters } = setup({ maxAttempts: 5 });
    let calls = 0;
    await bus.subscribeBroadcast('cache', 'lab.>', (e) => {
      calls++;
      return Promise.reject(
        (e.data as { bad?: boolean }).bad ? new InvalidEventError('data: bad') : new Error('db blip'),
      );
    });
    await bus.publish(newEvent('lab.sample.taken', 'lab', {}));
    const bad = newEvent('lab.sample.taken', 'lab', { bad: true });
    await bus.publish(bad);
    await bus.close();
    expect(calls).toBe(2);
    expect(logs().filter((l) => l.msg === 'broadcast event handler failed')).toHaveLength(1);
    expect(letters).toMatchObject([{ consumer: 'cache', eventId: bad.id, kind: 'invalid-payload' }]);
  });

  it('with a catalog, refuses to publish an undeclared type or data its schema rejects', async () => {
    const Taken = defineEvent('lab.sample.taken', z.object({ n: z.number().int() }), {
      examples: [{ n: 1 }],
    });
    const { bus } = setup({ catalog: eventCatalog([{ name: 'lab', events: { publishes: [Taken] } }]) });
    const got = recorder();
    await bus.subscribe('c', '>', got.handler);
    await expect(bus.publish(newEvent('lab.sample.lost', 'lab', {}))).rejects.toThrow(
      'no domain declares this event type',
    );
    await expect(bus.publish(newEvent('lab.sample.taken', 'lab', { n: 'x' }))).rejects.toThrow(
      'invalid data for event lab.sample.taken: data.n',
    );
    const good = Taken.create({ n: 3 });
    await bus.publish(good);
    await bus.close();
    expect(got.seen.map((e) => e.id)).toEqual([good.id]);
  });

  it('refuses events larger than the bus carries', async () => {
    const { bus } = setup();
    await expect(
      bus.publish(newEvent('lab.sample.taken', 'lab', { blob: 'x'.repeat(300 * 1024) })),
    ).rejects.toThrow('larger than');
  });

  it('reports itself up', async () => {
    const { bus } = setup();
    expect(await bus.health()).toEqual({ status: 'up', detail: 'in-process' });
    expect(bus.mode).toBe('in-process');
  });
});
