import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CoreNetworkModule, coreNetworkDomain, type CoreNetworkConfig } from '@pakawaaz/core-network';
import {
  connectNatsEventBus,
  DEAD_LETTERS,
  deadLetters,
  eventCatalog,
  platformDomain,
  rowsOf,
  sql,
  type DeadLetterStore,
  eventReceipts,
  InProcessEventBus,
  newEvent,
  type DomainEvent,
  type EventBus,
} from '@pakawaaz/platform';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InstitutionsService } from '../../src/directory/institutions.service.js';
import { identityDomain } from '../../src/identity.domain.js';
import { UserAdminService } from '../../src/users/user-admin.service.js';
import { UserUpdated } from '../../src/users/users.events.js';
import { createIdentityFixture, principal, type IdentityFixture } from '../support/identity-fixture.js';
import { serviceGate, testNatsUrl } from '@pakawaaz/test-support';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);
const run = randomBytes(4).toString('hex');
const stream = `PKZ_FACTS_${run}`;
const subjectPrefix = `pkzfacts.${run}`;
const WAIT = { timeout: 15_000, interval: 50 };
const CONSUMER = 'core-network.official-facts';
const root = { principal: principal(['super-admin']), requestId: 'req-root' };
const PASSWORD = 'amber-orchard-violin-7';

type Bus = 'in-process' | 'nats';

const keyDirs: string[] = [];

/** Identity and core-network on one node, on the given bus, as the server composes them. */
async function composed(bus: Bus): Promise<IdentityFixture> {
  keyDirs.push(await mkdtemp(path.join(tmpdir(), 'pakawaaz-facts-')));
  return createIdentityFixture({
    imports: [
      CoreNetworkModule.forRoot({
        kekFile: path.join(keyDirs.at(-1)!, 'kek.json'),
        open5gsMongoUrl: undefined,
        open5gsSyncIntervalMs: 3_600_000,
        simImportMaxBytes: 1024 * 1024,
        simImportMaxRows: 100_000,
        seedDemo: false,
        monitor: 'off',
      } satisfies CoreNetworkConfig),
    ],
    eventBus: (logger, letters): Promise<EventBus> =>
      bus === 'nats'
        ? connectNatsEventBus({
            url: natsUrl,
            logger,
            stream,
            subjectPrefix,
            retryDelayMs: 50,
            deadLetters: letters,
            catalog: eventCatalog([platformDomain, coreNetworkDomain, identityDomain]),
          })
        : // No catalog here: the test publishes a payload no identity code could, to see it dead-lettered.
          Promise.resolve(new InProcessEventBus(logger, { retryBaseMs: 10, deadLetters: letters })),
  });
}

describe.each<Bus>(['in-process', 'nats'])('subscriber copies follow identity facts (%s bus)', (bus) => {
  let fx: IdentityFixture;
  let users: UserAdminService;
  let ids: { interior: string; finance: string; ayesha: string; bilal: string };
  const skip = bus === 'nats' && !natsUp;

  /** Publishes bypassing the publish-side checks, as a buggy or foreign publisher would. */
  async function publishRaw(event: DomainEvent): Promise<void> {
    if (bus === 'in-process') return fx.bus.publish(event);
    const nc = await connect({ servers: natsUrl });
    try {
      await jetstream(nc).publish(`${subjectPrefix}.${event.type}`, JSON.stringify(event));
    } finally {
      await nc.close();
    }
  }

  /** core-network's copies, read as SQL: its tables are not part of its public face. */
  const copies = async (imsis: string[]) =>
    rowsOf<{ imsi: string; displayName: string; institutionId: string | null; version: number }>(
      await fx.handle.db.execute(
        sql`select imsi, display_name as "displayName", institution_id as "institutionId", version
            from core_network.subscribers where imsi in ${imsis}
            order by imsi`,
      ),
    );
  const handled = async (eventId: string) =>
    (
      await fx.handle.db
        .select()
        .from(eventReceipts)
        .where(and(eq(eventReceipts.consumer, CONSUMER), eq(eventReceipts.eventId, eventId)))
    ).length === 1;

  beforeAll(async () => {
    if (skip) return;
    fx = await composed(bus);
    users = fx.get(UserAdminService);
    const institutions = fx.get(InstitutionsService);
    const interior = await institutions.create({ name: `Ministry of Interior ${bus}` }, root);
    const finance = await institutions.create({ name: `Ministry of Finance ${bus}` }, root);
    const official = (username: string, displayName: string) =>
      users.create(
        { kind: 'official', username, displayName, password: PASSWORD, institution: interior.id },
        root,
      );
    const ayesha = await official(`ayesha-${bus}`, 'Ayesha Khan');
    const bilal = await official(`bilal-${bus}`, 'Bilal Ahmed');
    ids = { interior: interior.id, finance: finance.id, ayesha: ayesha.id, bilal: bilal.id };
    // Assigned before these events existed, with the label the operator typed and no institution.
    const row = (imsi: string, userId: string, displayName: string) => ({
      imsi,
      userId,
      displayName,
      institutionId: null,
      profileName: 'default',
    });
    for (const r of [
      row('001010000000101', ayesha.id, 'Deputy Secretary'),
      row('001010000000102', ayesha.id, 'Deputy Secretary (spare)'),
      row('001010000000103', bilal.id, 'Director'),
    ])
      await fx.handle.db.execute(
        sql`insert into core_network.subscribers (imsi, user_id, display_name, institution_id, profile_name)
            values (${r.imsi}, ${r.userId}, ${r.displayName}, ${r.institutionId}, ${r.profileName})`,
      );
  });

  afterAll(async () => {
    await fx?.close();
    await Promise.all(keyDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    if (bus === 'nats' && natsUp) {
      const nc = await connect({ servers: natsUrl });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.close();
    }
  });

  it.skipIf(skip)('renaming an official renames their subscribers (and only theirs)', async () => {
    await users.update(ids.ayesha, { displayName: 'Ayesha Khan Durrani' }, root);
    await vi.waitFor(
      async () =>
        expect(await copies(['001010000000101', '001010000000102', '001010000000103'])).toEqual([
          {
            imsi: '001010000000101',
            displayName: 'Ayesha Khan Durrani',
            institutionId: ids.interior,
            version: 1,
          },
          {
            imsi: '001010000000102',
            displayName: 'Ayesha Khan Durrani',
            institutionId: ids.interior,
            version: 1,
          },
          { imsi: '001010000000103', displayName: 'Director', institutionId: null, version: 1 },
        ]),
      WAIT,
    );
  });

  it.skipIf(skip)('moving an official to another institution moves their subscribers', async () => {
    await users.update(ids.ayesha, { institution: ids.finance }, root);
    await vi.waitFor(
      async () =>
        expect((await copies(['001010000000101', '001010000000102'])).map((c) => c.institutionId)).toEqual([
          ids.finance,
          ids.finance,
        ]),
      WAIT,
    );
  });

  it.skipIf(skip)('an event with older facts, delivered late or again, never rolls a copy back', async () => {
    const stale = UserUpdated.create({
      userId: ids.ayesha,
      username: `ayesha-${bus}`,
      kind: 'official',
      displayName: 'Ayesha Khan',
      institutionId: ids.interior,
      factsAt: '2020-01-01T00:00:00.000Z',
      changed: ['displayName'],
    });
    await fx.bus.publish(stale);
    await vi.waitFor(async () => expect(await handled(stale.id)).toBe(true), WAIT);
    expect(await copies(['001010000000101'])).toMatchObject([
      { displayName: 'Ayesha Khan Durrani', institutionId: ids.finance },
    ]);
  });

  it.skipIf(skip)(
    'a payload that fails the schema is dead-lettered, and the consumer goes on with the next event',
    async () => {
      const bad = newEvent('identity.user.updated', 'identity', {
        userId: ids.bilal,
        displayName: '',
        institutionId: 42,
        factsAt: 'yesterday',
      });
      await publishRaw(bad);
      await users.update(ids.bilal, { displayName: 'Bilal Ahmed Qureshi' }, root);
      await vi.waitFor(
        async () =>
          expect(await copies(['001010000000103'])).toMatchObject([{ displayName: 'Bilal Ahmed Qureshi' }]),
        WAIT,
      );
      const [letter] = await fx.handle.db.select().from(deadLetters).where(eq(deadLetters.eventId, bad.id));
      expect(letter).toMatchObject({
        type: 'identity.user.updated',
        consumer: CONSUMER,
        kind: 'invalid-payload',
        attempts: 1,
        payload: JSON.stringify(bad),
      });
      expect(letter?.reason).toContain('data.displayName');
      expect(letter?.reason).toContain('data.institutionId');
      expect(await handled(bad.id)).toBe(false);

      // The operator sees this summary on /api/v1/system (and the NOC System page), without the payload.
      const shown = await fx.app.get<DeadLetterStore>(DEAD_LETTERS).summary();
      expect(shown).toMatchObject({ total: 1, last24h: 1 });
      expect(shown.latest).toEqual([
        {
          id: letter?.id,
          eventId: bad.id,
          type: 'identity.user.updated',
          consumer: CONSUMER,
          kind: 'invalid-payload',
          reason: letter?.reason,
          receivedAt: letter?.receivedAt.toISOString(),
        },
      ]);
    },
  );
});
