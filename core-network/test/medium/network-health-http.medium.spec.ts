import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  AllExceptionsFilter,
  AuthGuard,
  DeadLetterStore,
  FileKeyBackend,
  InProcessEventBus,
  KeyService,
  loadPlatformConfig,
  Metrics,
  PlatformModule,
  sql,
  TOKEN_VERIFIER,
  type Principal,
  type TokenVerifier,
} from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNfSimulator, type NfSimulator } from '@pakawaaz/open5gs-simulator';
import {
  compositionOf,
  createTestDatabase,
  operatorPrincipal,
  testLogger,
  type TestDatabase,
} from '@pakawaaz/test-support';
import { CORE_NETWORK_TEST_DOMAINS } from '../support/domains.js';
import { DEFAULT_ALARM_RULES } from '../../src/network-health/alarm-rules.js';
import { AlarmsService } from '../../src/network-health/alarms.service.js';
import { NetworkHealthController } from '../../src/network-health/network-health.controller.js';
import {
  KpiHistoryDto,
  NetworkAlarmDto,
  NetworkAlarmListDto,
  NetworkHealthDto,
} from '../../src/network-health/network-health.dto.js';
import { NetworkHealthRepository } from '../../src/network-health/network-health.repository.js';
import { NETWORK_HEALTH_OPTIONS } from '../../src/network-health/network-health.options.js';
import { NetworkHealthService } from '../../src/network-health/network-health.service.js';

/** Bearer tokens of the test, as identity would verify them. */
const TOKENS: Record<string, Principal> = {
  'admin-token-0123456789': operatorPrincipal('noc-admin', ['network-admin']),
  'viewer-token-0123456789': operatorPrincipal('noc-viewer', ['viewer']),
  'officer-token-0123456789': operatorPrincipal('officer', ['security-officer']),
};
const verifier: TokenVerifier = { verify: (token) => Promise.resolve(TOKENS[token] ?? null) };

let testDb: TestDatabase;
let bus: InProcessEventBus;
let app: NestFastifyApplication;
let base: string;
let sim: NfSimulator;
const clock = { t: Date.parse('2025-06-01T08:00:00Z') };

beforeAll(async () => {
  testDb = await createTestDatabase(CORE_NETWORK_TEST_DOMAINS);
  await testDb.handle.db.execute(sql.raw('truncate core_network.kpi_samples, core_network.alarms'));
  bus = new InProcessEventBus(testLogger);
  sim = await startNfSimulator({ nfs: ['amf', 'smf', 'upf'], seed: 3, now: () => clock.t });
  const metrics = new Metrics();

  @Module({
    imports: [
      PlatformModule.forRoot({
        config: loadPlatformConfig({}, process.cwd(), compositionOf(CORE_NETWORK_TEST_DOMAINS)),
        logger: testLogger,
        database: testDb.handle,
        eventBus: bus,
        deadLetters: new DeadLetterStore(testDb.handle.db, metrics, testLogger),
        metrics,
        appInfo: { version: 'test', startedAt: new Date() },
        keys: new KeyService(new FileKeyBackend(), testLogger),
      }),
    ],
    controllers: [NetworkHealthController],
    providers: [
      NetworkHealthRepository,
      AlarmsService,
      NetworkHealthService,
      {
        provide: NETWORK_HEALTH_OPTIONS,
        useValue: {
          clock: () => new Date(clock.t),
          rules: { ...DEFAULT_ALARM_RULES, nfDown: { failuresToRaise: 2, successesToClear: 1 } },
        },
      },
      { provide: TOKEN_VERIFIER, useValue: verifier },
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  })
  class TestModule {}

  app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  app.useGlobalFilters(new AllExceptionsFilter(testLogger));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = await app.getUrl();
  base = base.replace('[::1]', '127.0.0.1');

  const monitor = app.get(NetworkHealthService);
  monitor.setTargets(sim.targets);
  await sim.nf('sim-upf').stop();
  for (let i = 0; i < 3; i++) {
    clock.t += 15_000;
    await monitor.runOnce();
  }
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  await bus?.close();
  await testDb?.drop();
});

async function call(
  method: string,
  path: string,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, body: await res.json() };
}

const VIEWER = 'viewer-token-0123456789';
const ADMIN = 'admin-token-0123456789';

describe('network health routes', () => {
  it('serves health as documented, with the simulated flag and the NF that is down', async () => {
    const r = await call('GET', '/api/v1/network/health', VIEWER);
    expect(r.status).toBe(200);
    const health = NetworkHealthDto.parse(r.body);
    expect(health.simulated).toBe(true);
    expect(health.nfs.map((n) => [n.name, n.status, n.simulated])).toEqual([
      ['sim-amf', 'up', true],
      ['sim-smf', 'up', true],
      ['sim-upf', 'down', true],
    ]);
    expect(health.nfs.find((n) => n.name === 'sim-upf')?.activeAlarms).toEqual(['nf_down']);
  });

  it('serves KPI history with validated filters', async () => {
    const r = await call('GET', '/api/v1/network/kpis?nf=sim-amf&kpi=gnbs_connected&limit=2', VIEWER);
    expect(r.status).toBe(200);
    expect(KpiHistoryDto.parse(r.body).samples.map((s) => [s.nf, s.kpi, s.value])).toEqual([
      ['sim-amf', 'gnbs_connected', 3],
      ['sim-amf', 'gnbs_connected', 3],
    ]);
    expect(await call('GET', '/api/v1/network/kpis?kpi=bogus', VIEWER)).toMatchObject({
      status: 400,
      body: { code: 'validation_failed' },
    });
    expect((await call('GET', '/api/v1/network/kpis?limit=0', VIEWER)).status).toBe(400);
    expect((await call('GET', '/api/v1/network/kpis?since=yesterday', VIEWER)).status).toBe(400);
  });

  it('lists open alarms by default and all on request', async () => {
    const open = NetworkAlarmListDto.parse((await call('GET', '/api/v1/network/alarms', VIEWER)).body);
    expect(open.alarms.map((a) => [a.kind, a.nf, a.state])).toEqual([['nf_down', 'sim-upf', 'open']]);
    expect((await call('GET', '/api/v1/network/alarms?state=closed', VIEWER)).status).toBe(400);
  });

  it('lets a network-admin acknowledge, idempotently; viewers get 403, strangers 401', async () => {
    const [alarm] = NetworkAlarmListDto.parse(
      (await call('GET', '/api/v1/network/alarms', VIEWER)).body,
    ).alarms;
    const path = `/api/v1/network/alarms/${alarm!.id}/acknowledge`;
    expect((await call('POST', path)).status).toBe(401);
    expect(await call('POST', path, VIEWER)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const first = await call('POST', path, ADMIN);
    expect(first.status).toBe(200);
    expect(NetworkAlarmDto.parse(first.body)).toMatchObject({ id: alarm!.id, acknowledgedBy: 'noc-admin' });
    expect(await call('POST', path, ADMIN)).toEqual(first);
    expect((await call('POST', '/api/v1/network/alarms/not-a-uuid/acknowledge', ADMIN)).status).toBe(400);
    expect(await call('POST', `/api/v1/network/alarms/${randomUUID()}/acknowledge`, ADMIN)).toMatchObject({
      status: 404,
      body: { code: 'alarm_not_found' },
    });
  });

  it.each([
    ['GET', '/api/v1/network/health'],
    ['GET', '/api/v1/network/kpis'],
    ['GET', '/api/v1/network/alarms'],
  ])('%s %s needs a token and a network role', async (method, path) => {
    expect((await call(method, path)).status).toBe(401);
    expect((await call(method, path, 'officer-token-0123456789')).status).toBe(403);
  });
});
