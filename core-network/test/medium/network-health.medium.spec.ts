import { randomUUID } from 'node:crypto';
import {
  AppError,
  AuditService,
  InProcessEventBus,
  Metrics,
  NATIONAL_SCOPE,
  rowsOf,
  sql,
  type DomainEvent,
  type Principal,
} from '@pakawaaz/platform';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startNfSimulator, type NfSimulator } from '@pakawaaz/open5gs-simulator';
import { createTestDatabase, testLogger, type TestDatabase } from '@pakawaaz/test-support';
import { CORE_NETWORK_TEST_DOMAINS } from '../support/domains.js';
import { DEFAULT_ALARM_RULES } from '../../src/network-health/alarm-rules.js';
import { AlarmsService, type AlarmView } from '../../src/network-health/alarms.service.js';
import { NetworkHealthRepository } from '../../src/network-health/network-health.repository.js';
import type { NetworkHealthOptions } from '../../src/network-health/network-health.options.js';
import { NetworkHealthService } from '../../src/network-health/network-health.service.js';
import { kpiSamples } from '../../src/network-health/network-health.schema.js';

const SCRAPE_INTERVAL_MS = 15_000;

const admin = (roles: Principal['roles'] = ['network-admin']): Principal => ({
  actor: { type: 'operator', id: randomUUID() },
  name: 'noc-alice',
  roles,
  institutionId: null,
  scope: NATIONAL_SCOPE,
  amr: ['pwd', 'otp'],
  acr: null,
  tokenId: 'jti-1',
});

let testDb: TestDatabase;
let bus: InProcessEventBus;
let events: DomainEvent[];
let repository: NetworkHealthRepository;
let audit: AuditService;
let alarms: AlarmsService;
let sim: NfSimulator;
let clock: { t: number };
let monitors: NetworkHealthService[];

beforeAll(async () => {
  testDb = await createTestDatabase(CORE_NETWORK_TEST_DOMAINS);
  repository = new NetworkHealthRepository(testDb.handle);
  audit = new AuditService(testDb.handle);
});

afterAll(async () => {
  await testDb?.drop();
});

beforeEach(async () => {
  await testDb.handle.db.execute(sql.raw('truncate core_network.kpi_samples, core_network.alarms'));
  events = [];
  bus = new InProcessEventBus(testLogger);
  await bus.subscribe('test', 'core-network.alarm.>', (e) => Promise.resolve(void events.push(e)));
  alarms = new AlarmsService(repository, audit, bus, testLogger);
  clock = { t: Date.parse('2025-06-01T08:00:00Z') };
  sim = await startNfSimulator({
    nfs: ['amf', 'smf', 'upf'],
    seed: 11,
    now: () => clock.t,
    world: { registrationsPerSecond: 5 },
  });
  monitors = [];
});

afterEach(async () => {
  await Promise.all(monitors.map((m) => m.stop()));
  await sim.close();
  await bus.close();
});

/** A monitor on the test's clock: scrape rounds are driven by hand with `round()`. */
function monitor(options: Partial<NetworkHealthOptions> = {}): NetworkHealthService {
  const m = new NetworkHealthService(
    repository,
    alarms,
    testLogger,
    {
      clock: () => new Date(clock.t),
      timeoutMs: 1_000,
      stateEveryRounds: 1,
      rules: { ...DEFAULT_ALARM_RULES, nfDown: { failuresToRaise: 3, successesToClear: 1 } },
      ...options,
    },
    new Metrics(),
  );
  m.setTargets(sim.targets);
  monitors.push(m);
  return m;
}

async function round(m: NetworkHealthService, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    clock.t += SCRAPE_INTERVAL_MS;
    await m.runOnce();
  }
}

async function alarmRows(state: 'open' | 'all' = 'all'): Promise<AlarmView[]> {
  return (await alarms.list({ state, limit: 100 })).alarms;
}

async function auditActions(): Promise<string[]> {
  const rows = rowsOf<{ action: string }>(
    await testDb.handle.db.execute(
      sql.raw("select action from platform.audit_log where action like 'core-network.%' order by seq"),
    ),
  );
  return rows.map((r) => r.action);
}

describe('NetworkHealthService against the NF simulator', () => {
  it('scrapes every NF over HTTP and stores their KPIs as history', async () => {
    const m = monitor();
    await round(m, 3);

    const rows = await testDb.handle.db.select().from(kpiSamples);
    const kpisOf = (nf: string) => new Set(rows.filter((r) => r.nf === nf).map((r) => r.kpi));
    expect([...kpisOf('sim-amf')]).toEqual(
      expect.arrayContaining([
        'gnbs_connected',
        'registered_ues',
        'registration_success_ratio',
        'auth_failure_ratio',
      ]),
    );
    expect([...kpisOf('sim-smf')]).toEqual(expect.arrayContaining(['pdu_sessions_active', 'ues_active']));
    expect([...kpisOf('sim-upf')]).toEqual(
      expect.arrayContaining(['upf_sessions', 'n3_packets_in_per_s', 'n3_packets_out_per_s']),
    );

    const history = await m.kpiHistory({ nf: 'sim-amf', kpi: 'gnbs_connected', limit: 10 });
    expect(history.samples.map((s) => [s.value, s.at])).toEqual([
      [3, new Date(clock.t).toISOString()],
      [3, new Date(clock.t - SCRAPE_INTERVAL_MS).toISOString()],
      [3, new Date(clock.t - 2 * SCRAPE_INTERVAL_MS).toISOString()],
    ]);
    const since = new Date(clock.t - SCRAPE_INTERVAL_MS).toISOString();
    expect(
      (await m.kpiHistory({ nf: 'sim-upf', since, limit: 100 })).samples.every((s) => s.at >= since),
    ).toBe(true);
  });

  it('reports per NF: up, last scrape, latest KPIs, state and the simulated flag', async () => {
    const m = monitor();
    expect(m.health().nfs.map((n) => n.status)).toEqual(['unknown', 'unknown', 'unknown']);
    await round(m, 2);
    const health = m.health();
    expect(health).toMatchObject({
      simulated: true,
      monitoring: false,
      lastRoundAt: new Date(clock.t).toISOString(),
    });
    const amf = health.nfs.find((n) => n.name === 'sim-amf');
    expect(amf).toMatchObject({
      nf: 'amf',
      simulated: true,
      status: 'up',
      lastError: null,
      activeAlarms: [],
    });
    expect(amf?.kpis.registration_success_ratio).toBeGreaterThan(0.8);
    expect(amf?.state?.ranNodes?.map((g) => g.id)).toEqual([100, 101, 102]);
    expect(amf?.state?.ues?.count).toBeGreaterThan(100);
    expect(health.nfs.find((n) => n.name === 'sim-smf')?.state?.pduSessions?.sessions).toBeGreaterThan(100);
  });

  it('raises nf_down after N failed scrapes, once, and clears it when the NF answers again', async () => {
    const m = monitor();
    await round(m);
    await sim.nf('sim-smf').stop();
    await round(m, 2);
    expect(await alarmRows()).toEqual([]);
    expect(m.health().nfs.find((n) => n.name === 'sim-smf')).toMatchObject({
      status: 'down',
      consecutiveFailures: 2,
      lastError: expect.stringMatching(/^connection refused/) as unknown,
    });

    await round(m, 3);
    const [open] = await alarmRows('open');
    expect(open).toMatchObject({ kind: 'nf_down', nf: 'sim-smf', severity: 'critical', state: 'open' });
    expect(open?.message).toMatch(
      /^SMF sim-smf is not answering \(3 failed scrapes in a row\): connection refused/,
    );
    expect(await alarmRows('all')).toHaveLength(1);
    await vi.waitFor(() => expect(events.map((e) => e.type)).toEqual(['core-network.alarm.raised']));
    expect(events[0]?.data).toMatchObject({
      alarmId: open?.id,
      kind: 'nf_down',
      nf: 'sim-smf',
      nfType: 'smf',
      simulated: true,
    });

    await sim.nf('sim-smf').start();
    await round(m);
    expect(await alarmRows('open')).toEqual([]);
    const [cleared] = await alarmRows('all');
    expect(cleared).toMatchObject({
      id: open?.id,
      state: 'cleared',
      clearedAt: new Date(clock.t).toISOString(),
    });
    expect(cleared?.details).toMatchObject({ clear: { message: 'SMF sim-smf answers again' } });
    await vi.waitFor(() =>
      expect(events.map((e) => e.type)).toEqual(['core-network.alarm.raised', 'core-network.alarm.cleared']),
    );
    expect(m.health().nfs.find((n) => n.name === 'sim-smf')?.status).toBe('up');
  });

  it('counts error statuses and timeouts as failed scrapes', async () => {
    const m = monitor({ timeoutMs: 200 });
    sim.nf('sim-amf').respondWith(503);
    sim.nf('sim-upf').setLatency(400);
    await round(m, 3);
    const open = await alarmRows('open');
    expect(open.map((a) => [a.nf, a.kind]).sort()).toEqual([
      ['sim-amf', 'nf_down'],
      ['sim-upf', 'nf_down'],
    ]);
    const byName = new Map(m.health().nfs.map((n) => [n.name, n.lastError]));
    expect(byName.get('sim-amf')).toBe('HTTP 503 Service Unavailable');
    expect(byName.get('sim-upf')).toBe('timed out after 200 ms');
  });

  it('raises registration failures and UPF session drops from the KPIs', async () => {
    const m = monitor();
    await round(m, 2);
    sim.setRegistrationFailureRate(0.6);
    sim.dropUpfSessions(80);
    await round(m, 2);
    const open = await alarmRows('open');
    expect(open.map((a) => a.kind).sort()).toEqual(['registration_failure', 'upf_sessions_drop']);
    expect(open.find((a) => a.kind === 'upf_sessions_drop')?.details).toMatchObject({
      baseline: expect.any(Number) as unknown,
    });
  });

  it('raises no_gnb_connected when the last gNB goes away', async () => {
    const m = monitor();
    await round(m);
    sim.setGnbCount(0);
    await round(m, 2);
    expect((await alarmRows('open')).map((a) => [a.kind, a.severity])).toEqual([
      ['no_gnb_connected', 'critical'],
    ]);
  });

  it('picks up open alarms after a restart: no duplicate, and it clears them', async () => {
    await sim.nf('sim-upf').stop();
    const first = monitor();
    await round(first, 3);
    expect(await alarmRows('open')).toHaveLength(1);

    const second = monitor();
    await round(second, 3);
    expect(await alarmRows('all')).toHaveLength(1);
    await sim.nf('sim-upf').start();
    await round(second);
    expect(await alarmRows('open')).toEqual([]);
  });

  it('keeps one open alarm per kind and NF when several nodes raise it at once', async () => {
    await sim.nf('sim-smf').stop();
    const nodes = [monitor(), monitor(), monitor()];
    for (let i = 0; i < 3; i++) {
      clock.t += SCRAPE_INTERVAL_MS;
      await Promise.all(nodes.map((n) => n.runOnce()));
    }
    expect((await alarmRows('all')).map((a) => [a.kind, a.nf])).toEqual([['nf_down', 'sim-smf']]);
    const raised = Array.from({ length: 10 }, () =>
      repository.openAlarm({
        kind: 'registration_failure',
        nf: 'sim-amf',
        severity: 'major',
        message: 'm',
        details: {},
        raisedAt: new Date(clock.t),
      }),
    );
    expect((await Promise.all(raised)).filter((r) => r !== null)).toHaveLength(1);
    await vi.waitFor(() => expect(events).toHaveLength(1));
  });

  it('acknowledges an alarm once, audited; again is a no-op; viewers and unknown ids are refused', async () => {
    const m = monitor();
    await sim.nf('sim-amf').stop();
    await round(m, 3);
    const [alarm] = await alarmRows('open');
    const by = admin();

    const acked = await alarms.acknowledge(alarm!.id, by, 'req-7');
    expect(acked).toMatchObject({ id: alarm!.id, acknowledgedBy: 'noc-alice', state: 'open' });
    expect(acked.acknowledgedAt).not.toBeNull();
    expect(await alarms.acknowledge(alarm!.id, admin(), 'req-8')).toEqual(acked);
    expect(await auditActions()).toEqual(['core-network.alarm.acknowledged']);
    const [entry] = await audit.list({ action: 'core-network.alarm.acknowledged' });
    expect(entry).toMatchObject({ actorId: by.actor.id, target: `alarm:${alarm!.id}`, requestId: 'req-7' });
    expect(entry?.details).toMatchObject({ kind: 'nf_down', nf: 'sim-amf', cleared: false });

    await expect(alarms.acknowledge(alarm!.id, admin(['viewer']), null)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const missing = await alarms.acknowledge(randomUUID(), by, null).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(AppError);
    expect(missing).toMatchObject({ code: 'alarm_not_found', status: 404 });
  });

  it('never overlaps rounds: a call during a round joins it', async () => {
    const m = monitor({ timeoutMs: 2_000 });
    const amf = sim.nf('sim-amf');
    await round(m);
    const perRound = amf.requests;
    amf.setLatency(200);
    clock.t += SCRAPE_INTERVAL_MS;
    const a = m.runOnce();
    const b = m.runOnce();
    expect(b).toBe(a);
    await Promise.all([a, b]);
    expect(amf.requests).toBe(2 * perRound);
  });

  it('runs on its interval once started and stops cleanly', async () => {
    const m = monitor({ intervalMs: 30, stateEveryRounds: 100 });
    m.start();
    expect(m.health().monitoring).toBe(true);
    await vi.waitFor(() => expect(sim.nf('sim-amf').requests).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
    await m.stop();
    // A request aborted by stop() may already be on its way: the simulator (same process) can count it a
    // little later on a loaded machine. Let those land, then no further round may start.
    await new Promise((r) => setTimeout(r, 200));
    const after = sim.nf('sim-amf').requests;
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.nf('sim-amf').requests).toBe(after);
    expect(m.health().monitoring).toBe(false);
  });

  it('prunes KPI history older than the retention', async () => {
    const old = new Date(clock.t - 8 * 24 * 3600_000);
    const recent = new Date(clock.t - 3600_000);
    await repository.insertKpiSamples([
      { nf: 'gone-amf', kpi: 'gnbs_connected', value: 1, at: old },
      { nf: 'sim-amf', kpi: 'gnbs_connected', value: 2, at: old },
      { nf: 'sim-amf', kpi: 'gnbs_connected', value: 3, at: recent },
    ]);
    const m = monitor();
    await round(m);
    const left = await testDb.handle.db.select().from(kpiSamples);
    expect(left.filter((r) => r.at.getTime() < clock.t - 7 * 24 * 3600_000)).toEqual([]);
    expect(left.some((r) => r.at.getTime() === recent.getTime())).toBe(true);
  });

  it('rejects invalid or duplicate targets with the reasons', () => {
    const m = monitor();
    const amf = sim.targets[0]!;
    expect(() => m.setTargets([amf, amf])).toThrow(/the name "sim-amf" is used twice/);
    expect(() => m.setTargets([{ ...amf, metricsUrl: 'ftp://x/metrics' }])).toThrow(/0\.metricsUrl/);
    expect(() => m.setTargets([{ ...amf, nf: 'gnb' }])).toThrow(/0\.nf/);
  });
});
