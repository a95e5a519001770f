import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  connectNatsEventBus,
  durableName,
  eventCatalog,
  platformDomain,
  type DeadLetterStore,
  type EventBus,
  type Logger,
} from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createTestDatabase,
  serviceGate,
  testLogger,
  testNatsUrl,
  type TestDatabase,
} from '@pakawaaz/test-support';
import { coreNetworkDomain } from '@pakawaaz/core-network';
import { identityDomain } from '../../src/identity.domain.js';

/** Identity's floors and itself: what these tests migrate and whose events they know. */
const DOMAINS = [platformDomain, coreNetworkDomain, identityDomain];
import { RadiusClientsService } from '../../src/radius/radius-clients.service.js';
import { SESSION_CACHE, type SessionCacheHandle } from '../../src/sessions/session-cache.provider.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { createIdentityFixture, principal, type IdentityFixture } from '../support/identity-fixture.js';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);

// One stream and subject space per run: parallel runs never see each other's consumers or events.
const run = randomBytes(4).toString('hex');
const stream = `PKZ_IDTEST_${run}`;
const subjectPrefix = `pkzidtest.${run}`;
const WAIT = { timeout: 15_000, interval: 50 };
let keys: string;

/**
 * The identity services of one node on a NATS bus, as the server wires them (catalog, retired durables). The
 * nodes of a cluster share the database and the key files.
 */
function node(database: TestDatabase): Promise<IdentityFixture> {
  return createIdentityFixture({
    database,
    config: {
      secretsKeyFile: path.join(keys, 'identity-secrets.key'),
      signingKeyFile: path.join(keys, 'token-signing-key.jwk'),
    },
    eventBus: (logger: Logger, deadLetters: DeadLetterStore): Promise<EventBus> =>
      connectNatsEventBus({
        url: natsUrl,
        logger,
        stream,
        subjectPrefix,
        deadLetters,
        catalog: eventCatalog(DOMAINS),
        retiredConsumers: identityDomain.events?.retiredConsumers ?? [],
      }),
  });
}

async function withJsm<T>(fn: (jsm: Awaited<ReturnType<typeof jetstreamManager>>) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: natsUrl });
  try {
    return await fn(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

const consumers = () =>
  withJsm(async (jsm) => {
    const all: { name: string; durable: boolean }[] = [];
    for await (const c of jsm.consumers.list(stream))
      all.push({ name: c.name, durable: Boolean(c.config.durable_name) });
    return all.sort((a, b) => a.name.localeCompare(b.name));
  });

describe.skipIf(!natsUp)('identity event consumers on NATS', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(DOMAINS);
    keys = await mkdtemp(path.join(tmpdir(), 'pakawaaz-cluster-keys-'));
    // The stream, as a node would create it, so consumers can be planted before the first node starts.
    const bus = await connectNatsEventBus({ url: natsUrl, logger: testLogger, stream, subjectPrefix });
    await bus.close();
  });

  afterAll(async () => {
    await database?.drop();
    if (keys) await rm(keys, { recursive: true, force: true });
    await withJsm((jsm) => jsm.streams.delete(stream)).catch(() => undefined);
  });

  it('deletes the per-start durables of earlier versions at start-up, and only those', async () => {
    const old = [
      `identity-session-cache-${randomUUID()}`,
      `identity-session-cache-${randomUUID()}`,
      `identity-radius-clients-${randomUUID()}`,
    ];
    const legit = [
      durableName('core-network.official-facts'),
      'identity-session-cache',
      `identity-session-cache-${randomUUID()}-keep`,
    ];
    await withJsm(async (jsm) => {
      for (const name of [...old, ...legit])
        await jsm.consumers.add(stream, {
          durable_name: name,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.All,
          filter_subject: `${subjectPrefix}.identity.>`,
        });
    });
    expect((await consumers()).map((c) => c.name)).toEqual(expect.arrayContaining([...old, ...legit]));

    const fx = await node(database);
    await fx.close();
    const names = (await consumers()).map((c) => c.name);
    expect(names.filter((n) => old.includes(n))).toEqual([]);
    expect(names.sort()).toEqual([...legit].sort());
  });

  it('starting and stopping a node 10 times leaves no consumer behind', async () => {
    const BROADCASTS = identityDomain.events.consumes.filter((c) => c.delivery === 'broadcast').length;
    expect(BROADCASTS).toBe(4);
    const baseline = await consumers();
    const running: number[] = [];
    const stopped: number[] = [];
    for (let i = 0; i < 10; i++) {
      const fx = await node(database);
      const now = await consumers();
      running.push(now.length);
      // Each per-node cache (session cache, RADIUS client table, institution scopes, API-token memory): one
      // ephemeral (non-durable) consumer each, gone with the node.
      expect(now.filter((c) => !c.durable)).toHaveLength(BROADCASTS);
      await fx.close();
      stopped.push((await consumers()).length);
    }
    expect(running).toEqual(Array(10).fill(baseline.length + BROADCASTS));
    expect(stopped).toEqual(Array(10).fill(baseline.length));
    expect(await consumers()).toEqual(baseline);
  });

  it("a node's caches learn at once what another node changes: revoked sessions, RADIUS clients", async () => {
    const a = await node(database);
    const b = await node(database);
    try {
      const user = await a.addUser({ username: `official-${run}`, kind: 'official' });
      const tokens = await a.get(SessionsService).start(user, ['pwd'], 'aal1', {});
      const cacheB = b.app.get<SessionCacheHandle>(SESSION_CACHE);
      const at = new Date();
      expect(await cacheB.alive(tokens.sessionId, at)).toBe(true);
      await a.get(SessionsService).logout({
        principal: principal([], { actor: { type: 'official', id: user.id }, sessionId: tokens.sessionId }),
        requestId: null,
      });
      // Same instant: node B does not re-read the database (5 s), so only the broadcast can tell it.
      await vi.waitFor(async () => expect(await cacheB.alive(tokens.sessionId, at)).toBe(false), WAIT);

      expect(b.get(RadiusClientsService).lookup('10.99.1.1')).toBeNull();
      await a
        .get(RadiusClientsService)
        .add(
          { name: `wlc-${run}`, cidr: '10.99.0.0/16', secret: 'a-long-shared-secret-for-the-nas' },
          { principal: principal(['network-admin']), requestId: null },
        );
      // Well before the 30 s periodic reload.
      await vi.waitFor(
        () => expect(b.get(RadiusClientsService).lookup('10.99.1.1')?.name).toBe(`wlc-${run}`),
        WAIT,
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
