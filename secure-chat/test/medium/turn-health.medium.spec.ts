import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { platformDomain, type DomainEvent, type EventBus } from '@pakawaaz/platform';
import {
  coturnAvailable,
  createTestDatabase,
  freeTcpPort,
  requireServices,
  startCoturn,
  testLogger,
  type Coturn,
  type TestDatabase,
} from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallsConfig } from '../../src/calls/calls.config.js';
import { TurnHealthService } from '../../src/calls/turn/turn-health.service.js';
import { TurnServersRepository } from '../../src/calls/turn/turn-servers.repository.js';
import { TurnService } from '../../src/calls/turn/turn.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

if (!coturnAvailable() && requireServices())
  throw new Error('coturn is not installed (apt-get install coturn) and PAKAWAAZ_REQUIRE_SERVICES is set');

/*
 * The TURN health probe against real coturn processes (Debian `coturn`, use-auth-secret, loopback): up while
 * it answers the STUN Binding and allocates with the REST credentials; killed, down after two probes with
 * the alarm raised once; restarted, up with the alarm cleared; a coturn with another shared secret answers
 * Binding but refuses the Allocate (401): degraded, with the alarm and the reason in plain words.
 */
describe.skipIf(!coturnAvailable())('TURN health against a real coturn', () => {
  const secret = randomBytes(24).toString('hex');
  let dir: string;
  let db: TestDatabase;
  let coturn: Coturn;
  let port: number;
  const published: DomainEvent[] = [];
  const bus = { publish: (e: DomainEvent) => Promise.resolve(void published.push(e)) } as unknown as EventBus;

  const healthFor = (urls: string[], secretFile: string) => {
    const config: Pick<CallsConfig, 'turn'> = {
      turn: { urls, secretFile, ttlSeconds: 600, probeMs: 60_000 },
    };
    const repo = new TurnServersRepository(db.handle);
    return new TurnHealthService(repo, new TurnService(config), config, bus, testLogger);
  };
  const alarms = () => published.map((e) => e.data as { server: string; health: string; alarm: string });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-turn-health-'));
    await writeFile(path.join(dir, 'turn-secret'), `${secret}\n`, { mode: 0o600 });
    port = await freeTcpPort();
    await mkdir(path.join(dir, 'a'));
    [db, coturn] = await Promise.all([
      createTestDatabase([platformDomain, secureChatDomain]),
      startCoturn({ port, secret, dir: path.join(dir, 'a') }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await coturn?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is up while coturn answers; down after two failed probes (alarm raised); up again (cleared)', async () => {
    const server = `127.0.0.1:${port}`;
    const health = healthFor(
      [`turn:${server}?transport=udp`, `turn:${server}?transport=tcp`, `turns:127.0.0.1:5349`],
      path.join(dir, 'turn-secret'),
    );
    await health.probeAll();
    const [up] = await health.status();
    expect(up).toMatchObject({ server, health: 'up', error: null });
    expect(up!.urls).toHaveLength(2);
    expect(up!.rttMs).toBeGreaterThanOrEqual(0);
    expect(up!.checkedAt).not.toBeNull();
    // First sight of a healthy server: nothing to clear.
    expect(published).toHaveLength(0);

    await coturn.stop();
    await health.probeAll();
    // One lost answer is not an outage.
    expect((await health.status())[0]).toMatchObject({ health: 'up', rttMs: null });
    expect((await health.status())[0]!.error).toMatch(/no STUN answer/);
    await health.probeAll();
    expect((await health.status())[0]).toMatchObject({ health: 'down' });
    expect(alarms()).toEqual([expect.objectContaining({ server, health: 'down', alarm: 'raised' })]);
    expect(published[0]!.type).toBe('secure-chat.turn.health-changed');
    await health.probeAll();
    expect(published).toHaveLength(1);

    coturn = await startCoturn({ port, secret, dir: path.join(dir, 'a') });
    await health.probeAll();
    expect((await health.status())[0]).toMatchObject({ health: 'up', error: null });
    expect(alarms()[1]).toEqual(expect.objectContaining({ server, health: 'up', alarm: 'cleared' }));
  }, 60_000);

  it('finds a wrong shared secret: Binding answers, the Allocate is refused 401 (degraded)', async () => {
    published.length = 0;
    await writeFile(path.join(dir, 'wrong-secret'), `${randomBytes(24).toString('hex')}\n`);
    const health = healthFor([`turn:127.0.0.1:${port}`], path.join(dir, 'wrong-secret'));
    await health.probeAll();
    await health.probeAll();
    const [s] = await health.status();
    expect(s).toMatchObject({ health: 'degraded' });
    expect(s!.rttMs).toBeGreaterThanOrEqual(0);
    expect(s!.error).toMatch(/refused our credentials \(401\)/);
    expect(alarms()).toEqual([expect.objectContaining({ health: 'degraded', alarm: 'raised' })]);
  }, 60_000);
});

/*
 * Two nodes with different `turn:` lists on one database (a rolling configuration change): neither removes
 * the other's rows, so a silent server only one of them lists still goes down after two bad probes and
 * raises the alarm; its row goes once no node has checked it for five probe periods.
 */
describe('TURN health across nodes with different servers', () => {
  const PERIOD_MS = 60_000;
  let dir: string;
  let db: TestDatabase;
  const silent: Socket[] = [];
  const published: DomainEvent[] = [];
  const bus = { publish: (e: DomainEvent) => Promise.resolve(void published.push(e)) } as unknown as EventBus;

  const node = (servers: string[]) => {
    const config: Pick<CallsConfig, 'turn'> = {
      turn: {
        urls: servers.map((s) => `turn:${s}`),
        secretFile: path.join(dir, 'turn-secret'),
        ttlSeconds: 600,
        probeMs: PERIOD_MS,
      },
    };
    const repo = new TurnServersRepository(db.handle);
    return { repo, health: new TurnHealthService(repo, new TurnService(config), config, bus, testLogger) };
  };
  // A UDP port that takes datagrams and never answers (no ICMP either): every probe of it times out.
  const silentServer = () =>
    new Promise<string>((resolve) => {
      const s = createSocket('udp4');
      silent.push(s);
      s.bind(0, '127.0.0.1', () => resolve(`127.0.0.1:${s.address().port}`));
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-turn-nodes-'));
    await writeFile(path.join(dir, 'turn-secret'), `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    db = await createTestDatabase([platformDomain, secureChatDomain]);
  }, 60_000);

  afterAll(async () => {
    for (const s of silent) s.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('raises the alarm for a server one node lists, and prunes rows no node checks', async () => {
    const [shared, onlyA] = await Promise.all([silentServer(), silentServer()]);
    const a = node([shared, onlyA]);
    const b = node([shared]);
    const t0 = Date.now();
    const at = (periods: number) => new Date(t0 + periods * PERIOD_MS);
    await a.health.probeAll(at(0));
    await b.health.probeAll(at(0.5));
    await a.health.probeAll(at(1));
    const health = new Map((await a.repo.list()).map((r) => [r.server, r.health]));
    expect(health).toEqual(
      new Map([
        [shared, 'down'],
        [onlyA, 'down'],
      ]),
    );
    const raised = published.map((e) => e.data as { server: string; alarm: string });
    expect(raised).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ server: onlyA, alarm: 'raised' }),
        expect.objectContaining({ server: shared, alarm: 'raised' }),
      ]),
    );
    expect(raised).toHaveLength(2);

    // Node A is gone (or no longer lists it): B keeps its own row, and drops A's only after five periods.
    await b.health.probeAll(at(5));
    expect((await b.repo.list()).map((r) => r.server)).toEqual([shared, onlyA].sort());
    await b.health.probeAll(at(6.5));
    expect((await b.repo.list()).map((r) => r.server)).toEqual([shared]);
  }, 60_000);
});
