import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InvalidEventError, newEvent, type DomainEvent } from './event-bus.js';
import {
  checkEventContracts,
  defineConsumer,
  defineEvent,
  EventDataError,
  expectEvent,
  typedHandler,
} from './event-contract.js';

const Renamed = defineEvent(
  'people.person.renamed',
  z.object({ personId: z.string().min(1), name: z.string().max(20), at: z.coerce.date() }),
  { examples: [{ personId: 'p-1', name: 'Ayesha Khan', at: '2026-03-02T09:15:00.000Z' }] },
);

describe('defineEvent', () => {
  it('creates events of its type and domain with parsed data', () => {
    const e = Renamed.create(
      { personId: 'p-1', name: 'Bilal', at: '2026-03-02T09:15:00.000Z' },
      { now: new Date('2026-03-02T10:00:00Z'), id: 'e-1' },
    );
    expect(e).toEqual({
      id: 'e-1',
      type: 'people.person.renamed',
      source: 'people',
      occurredAt: '2026-03-02T10:00:00.000Z',
      data: { personId: 'p-1', name: 'Bilal', at: new Date('2026-03-02T09:15:00.000Z') },
    });
  });

  it('throws on a payload its schema rejects, naming the path but never the value', () => {
    const attempt = () =>
      Renamed.create({ personId: '', name: 'S3CR3T-NAME-THAT-IS-TOO-LONG', at: 'yesterday' });
    expect(attempt).toThrow(EventDataError);
    expect(attempt).toThrow(
      /^invalid data for event people\.person\.renamed: data\.personId: .*data\.name: /,
    );
    expect(attempt).not.toThrow(/S3CR3T/);
  });

  it('refuses a type that is not dotted lower-case words', () => {
    expect(() => defineEvent('People.renamed', z.object({}), { examples: [{}] })).toThrow(
      'invalid event type',
    );
  });
});

describe('typedHandler', () => {
  const Expected = expectEvent('people.person.renamed', z.object({ personId: z.string(), name: z.string() }));

  it('hands the handler the parsed data of expected types and skips the others', async () => {
    const seen: DomainEvent[] = [];
    const handler = typedHandler([Expected], (e) => {
      seen.push(e);
      return Promise.resolve();
    });
    await handler(newEvent('people.person.renamed', 'people', { personId: 'p-1', name: 'A', extra: 1 }));
    await handler(newEvent('people.person.moved', 'people', { anything: true }));
    expect(seen.map((e) => e.data)).toEqual([{ personId: 'p-1', name: 'A' }]);
  });

  it('throws InvalidEventError (paths, no values) when the data fails the schema; the handler never runs', async () => {
    let ran = false;
    const handler = typedHandler([Expected], () => {
      ran = true;
      return Promise.resolve();
    });
    const attempt = handler(newEvent('people.person.renamed', 'people', { personId: 42, name: 'S3CR3T' }));
    await expect(attempt).rejects.toBeInstanceOf(InvalidEventError);
    await expect(
      handler(newEvent('people.person.renamed', 'people', { personId: 42, name: 'S3CR3T' })),
    ).rejects.toMatchObject({ reason: 'data.personId: Invalid input: expected string, received number' });
    expect(ran).toBe(false);
  });
});

describe('defineConsumer', () => {
  it('refuses a filter that does not cover every expected type', () => {
    expect(() =>
      defineConsumer({
        name: 'c',
        delivery: 'durable',
        filter: 'people.group.>',
        expects: [expectEvent('people.person.renamed', z.object({}))],
      }),
    ).toThrow('filter "people.group.>" does not cover people.person.renamed');
  });
});

describe('checkEventContracts', () => {
  const consumer = (name: string, schema: z.ZodType, type = 'people.person.renamed') =>
    defineConsumer({ name, delivery: 'durable', filter: 'people.>', expects: [expectEvent(type, schema)] });
  const publisher = { name: 'people', events: { publishes: [Renamed] } };

  it('holds when each consumer accepts every example as it arrives over the wire (JSON)', () => {
    // `at` is a Date when published and an ISO string when received: the consumer must expect the string.
    const ok = consumer('billing.names', z.object({ personId: z.string(), at: z.iso.datetime() }));
    expect(checkEventContracts([publisher, { name: 'billing', events: { consumes: [ok] } }])).toEqual([]);
  });

  it('reports a consumer that needs a field the publisher does not send, or a type nobody publishes', () => {
    const needsEmail = consumer('billing.names', z.object({ personId: z.string(), email: z.email() }));
    const orphan = consumer('billing.moves', z.object({}), 'people.person.moved');
    expect(
      checkEventContracts([publisher, { name: 'billing', events: { consumes: [needsEmail, orphan] } }]),
    ).toEqual([
      "billing's consumer billing.names rejects people.person.renamed example 1: data.email: Invalid input: expected string, received undefined",
      "billing's consumer billing.moves expects people.person.moved, which no domain publishes",
    ]);
  });

  it('reports events declared by another domain or twice, bad examples and reused consumer names', () => {
    const Bad = defineEvent('people.person.left', z.object({ n: z.number() }), {
      examples: [{ n: 'one' as unknown as number }],
    });
    const c = consumer('x', z.object({}));
    expect(
      checkEventContracts([
        publisher,
        { name: 'billing', events: { publishes: [Renamed, Bad], consumes: [c, c] } },
      ]),
    ).toEqual([
      'billing declares people.person.renamed, which belongs to the domain "people"',
      'people.person.renamed is declared twice',
      'billing declares people.person.left, which belongs to the domain "people"',
      'people.person.left example 1 fails its own schema: invalid data for event people.person.left: data.n: Invalid input: expected number, received string',
      'consumer name x is used twice',
    ]);
  });

  it('reports a live consumer that a retired pattern would delete at start-up', () => {
    const live = consumer('people.cache-1', z.object({}));
    expect(
      checkEventContracts([
        { ...publisher, events: { ...publisher.events, retiredConsumers: [/^people_cache-\d+/] } },
        { name: 'billing', events: { consumes: [live] } },
      ]),
    ).toEqual(['consumer people.cache-1 matches a retired consumer pattern: start-up would delete it']);
  });
});
