import { randomUUID } from 'node:crypto';
import {
  AuditService,
  defineEvent,
  InProcessEventBus,
  platformDomain,
  type Principal,
} from '@pakawaaz/platform';
import {
  createTestDatabase,
  operatorPrincipal,
  refusal,
  type TestDatabase,
  testLogger,
} from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceOsUpdate } from '../../src/hardened-os.events.js';
import { OsUpdateListener } from '../../src/rollouts/os-update.listener.js';
import { hardenedOsDomain } from '../../src/hardened-os.domain.js';
import { OsReleasesFacts } from '../../src/registry/os-releases.facts.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { InstitutionNames } from '../../src/rollouts/institution-names.js';
import { OsRolloutsFacts } from '../../src/rollouts/os-rollouts.facts.js';
import { RolloutEngine } from '../../src/rollouts/rollout-engine.service.js';
import { RolloutsRepository } from '../../src/rollouts/rollouts.repository.js';
import { RolloutsService } from '../../src/rollouts/rollouts.service.js';

const PILOT = '0b1f6a3c-1111-4a55-9a43-4c1ef0f7e0b1';
const EARLY = '0b1f6a3c-2222-4a55-9a43-4c1ef0f7e0b1';
const BROAD = '0b1f6a3c-3333-4a55-9a43-4c1ef0f7e0b1';
const NAMES: Record<string, string> = {
  [PILOT]: 'Ministry of Pilots',
  [EARLY]: 'Ministry of Early Birds',
  [BROAD]: 'Ministry of Everyone',
};

const admin = operatorPrincipal('op-os-admin', ['os-admin']);
const earlyViewer: Principal = {
  ...admin,
  actor: { type: 'operator', id: 'op-early' },
  roles: ['viewer'],
  institutionId: EARLY,
  scope: { kind: 'institution', institutionIds: [EARLY] },
};

let db: TestDatabase;
let service: RolloutsService;
let engine: RolloutEngine;
let facts: OsRolloutsFacts;
let registry: RegistryService;
const published: { type: string; data: Record<string, unknown> }[] = [];
const releaseIds: Record<string, string> = {};

const build = (model: string, id: string, patch: string) => ({
  model,
  buildId: id,
  fingerprint: `google/${model}/${model}:15/${id}/1:user/release-keys`,
  version: '15',
  securityPatchLevel: patch,
  channel: 'stable' as const,
  notes: '',
});
const device = (institutionId: string | null, over: Partial<{ model: string; osBuild: string }> = {}) => ({
  id: randomUUID(),
  institutionId,
  model: 'Pixel 8',
  osBuild: 'AP2A.241105.001',
  ...over,
});
const outcome = (
  rolloutId: string,
  deviceId: string,
  institutionId: string | null,
  o: 'offered' | 'updated' | 'failed',
  at: string,
) => engine.record({ deviceId, institutionId, rolloutId, releaseId: releaseIds.shibaNew!, outcome: o, at });

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, hardenedOsDomain]);
  const repo = new RegistryRepository(db.handle);
  const audit = new AuditService(db.handle);
  const bus = {
    publish: (e: { type: string; data: Record<string, unknown> }) => {
      published.push(e);
      return Promise.resolve();
    },
  } as never;
  registry = new RegistryService(db.handle, repo, new OsReleasesFacts(repo), audit);
  const rollouts = new RolloutsRepository(db.handle);
  facts = new OsRolloutsFacts(rollouts, repo);
  engine = new RolloutEngine(db.handle, rollouts, facts, audit, bus);
  const phases = {
    phaseOf: (id: string) => (NAMES[id] ? { name: NAMES[id], phase: 'nationwide' as const } : null),
  };
  const names = new InstitutionNames({ get: () => phases } as never);
  service = new RolloutsService(db.handle, rollouts, repo, engine, facts, names, audit);
  await registry.addModel(
    { codename: 'shiba', manufacturer: 'Google', name: 'Pixel 8', strongBox: true },
    admin,
    'r1',
  );
  await registry.addModel({ codename: 'husky', manufacturer: 'Google', strongBox: true }, admin, 'r2');
  releaseIds.shibaOld = (
    await registry.addRelease(build('shiba', 'AP2A.241105.001', '2024-11-05'), admin, 'r3')
  ).id;
  releaseIds.shibaNew = (
    await registry.addRelease(build('shiba', 'BP1A.250105.004', '2025-01-05'), admin, 'r4')
  ).id;
  releaseIds.husky = (
    await registry.addRelease(build('husky', 'BP1A.250105.004', '2025-01-05'), admin, 'r5')
  ).id;
});
afterAll(async () => {
  await db?.drop();
});

describe('OS rollouts on PostgreSQL', () => {
  let rolloutId = '';

  it('assigns rings by institution, shown with names; unknown institutions are refused', async () => {
    await service.setRing(PILOT, { ring: 'pilot' }, admin, 'q1');
    const r = await service.setRing(EARLY, { ring: 'early' }, admin, 'q2');
    expect(r.rings.map((x) => [x.institutionName, x.ring])).toEqual([
      ['Ministry of Early Birds', 'early'],
      ['Ministry of Pilots', 'pilot'],
    ]);
    const unknown = await refusal(service.setRing(randomUUID(), { ring: 'early' }, admin, 'q3'));
    expect([unknown.code, unknown.status]).toEqual(['unknown_institution', 404]);
  });

  it('creates a rollout on the default plan, one active per model, and offers it to the pilot ring only', async () => {
    const r = await service.create({ releaseId: releaseIds.shibaNew! }, admin, 'q4');
    rolloutId = r.id;
    expect([r.state, r.currentStage, r.stages.map((s) => `${s.ring} ${s.percent}%`)]).toEqual([
      'running',
      0,
      ['pilot 100%', 'early 10%', 'early 50%', 'early 100%', 'broad 5%', 'broad 25%', 'broad 100%'],
    ]);
    const again = await refusal(service.create({ releaseId: releaseIds.shibaNew! }, admin, 'q5'));
    expect(again.code).toBe('rollout_exists_for_model');
    const pilot = device(PILOT);
    expect(await facts.targetFor(pilot)).toEqual({
      rolloutId,
      releaseId: releaseIds.shibaNew,
      buildId: 'BP1A.250105.004',
      version: '15',
      fingerprint: 'google/shiba/shiba:15/BP1A.250105.004/1:user/release-keys',
      securityPatchLevel: '2025-01-05',
    });
    // By codename too; never to a device already on the build, another model, or a later ring.
    expect((await facts.targetFor({ ...pilot, model: 'shiba' }))?.rolloutId).toBe(rolloutId);
    expect(await facts.targetFor({ ...pilot, osBuild: 'BP1A.250105.004' })).toBeNull();
    expect(await facts.targetFor({ ...pilot, model: 'husky' })).toBeNull();
    expect(await facts.targetFor(device(EARLY))).toBeNull();
    expect(await facts.targetFor(device(null))).toBeNull();
  });

  it('counts each device once by its latest outcome, whatever the redelivery or order', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    expect(await outcome(rolloutId, a, PILOT, 'offered', '2026-12-04T10:00:00Z')).toBe('recorded');
    expect(await outcome(rolloutId, a, PILOT, 'updated', '2026-12-04T10:05:00Z')).toBe('recorded');
    expect(await outcome(rolloutId, a, PILOT, 'updated', '2026-12-04T10:05:00Z')).toBe('unchanged');
    expect(await outcome(rolloutId, a, PILOT, 'offered', '2026-12-04T10:00:00Z')).toBe('unchanged');
    await outcome(rolloutId, b, PILOT, 'offered', '2026-12-04T10:00:00Z');
    await outcome(rolloutId, c, PILOT, 'failed', '2026-12-04T10:06:00Z');
    expect(
      await engine.record({
        deviceId: a,
        institutionId: PILOT,
        rolloutId: 'r-x',
        releaseId: 'x',
        outcome: 'updated',
        at: '2026-12-04T10:00:00Z',
      }),
    ).toBe('ignored');
    const r = await service.get(rolloutId, admin);
    expect(r.stages[0]!.progress).toEqual({ offered: 3, updated: 1, failed: 1, pending: 1 });
    expect(r.rings.find((x) => x.ring === 'pilot')).toEqual({
      ring: 'pilot',
      offered: 3,
      updated: 1,
      failed: 1,
      pending: 1,
    });
    // One failure among 2 results (50%) but fewer than minOutcomes (5): no halt yet.
    expect(r.state).toBe('running');
  });

  it('widens without dropping a device: early 10% ⊂ early 50%', async () => {
    const early = Array.from({ length: 300 }, () => device(EARLY));
    const offered = async () =>
      new Set(
        (await Promise.all(early.map(async (d) => ((await facts.targetFor(d)) ? d.id : null)))).filter(
          Boolean,
        ),
      );
    expect((await service.advance(rolloutId, admin, 'q6')).currentStage).toBe(1);
    const at10 = await offered();
    expect(at10.size).toBeGreaterThan(10);
    expect(at10.size).toBeLessThan(60);
    await service.advance(rolloutId, admin, 'q7');
    const at50 = await offered();
    expect([...at10].every((id) => at50.has(id))).toBe(true);
    expect(at50.size).toBeGreaterThan(110);
    expect(at50.size).toBeLessThan(190);
    expect(await facts.targetFor(device(PILOT))).not.toBeNull();
    expect(await facts.targetFor(device(BROAD))).toBeNull();
  });

  it('pauses (nothing offered) and resumes; only a running rollout advances', async () => {
    const pilot = device(PILOT);
    expect((await service.pause(rolloutId, admin, 'q8')).state).toBe('paused');
    expect(await facts.targetFor(pilot)).toBeNull();
    expect((await refusal(service.advance(rolloutId, admin, 'q9'))).code).toBe('rollout_state_conflict');
    expect((await refusal(service.pause(rolloutId, admin, 'q10'))).code).toBe('rollout_state_conflict');
    const resumed = await service.resume(rolloutId, admin, 'q11');
    expect([resumed.state, resumed.currentStage]).toEqual(['running', 2]);
    expect(await facts.targetFor(pilot)).not.toBeNull();
  });

  it("halts by itself when the failure rate passes the threshold, an earlier stage's failure counting", async () => {
    const early = Array.from({ length: 5 }, () => randomUUID());
    const results = [];
    for (const d of early)
      results.push(await outcome(rolloutId, d, EARLY, 'updated', '2026-12-04T11:00:00Z'));
    // The pilot stage's failure with 4 successes since: 1 of 5 over the rollout. Later reports still count.
    expect(results).toEqual(['recorded', 'recorded', 'halted', 'recorded', 'recorded']);
    const r = await service.get(rolloutId, admin);
    expect([r.state, r.haltReason]).toEqual([
      'halted',
      '1 of 5 updated devices failed (20%) across the rollout; threshold 5%',
    ]);
    expect(published.map((e) => [e.type, e.data.rolloutId, e.data.automatic])).toEqual([
      ['hardened-os.rollout.halted', rolloutId, true],
    ]);
    expect(await facts.targetFor(device(PILOT))).toBeNull();
    expect((await refusal(service.resume(rolloutId, admin, 'q12'))).code).toBe('rollout_state_conflict');
  });

  it("shows an institution's readers their own devices' progress and ring, and refuses them changes", async () => {
    const r = await service.get(rolloutId, earlyViewer);
    expect(r.scope).toBe('institution');
    // The automatic halt's reason counts the whole fleet: institutions get a generic line, and no operator id.
    expect([r.haltReason, r.createdBy]).toEqual(['halted automatically: failure rate over threshold', null]);
    const national = await service.get(rolloutId, admin);
    expect([national.haltReason, national.createdBy]).toEqual([
      '1 of 5 updated devices failed (20%) across the rollout; threshold 5%',
      'operator:op-os-admin',
    ]);
    expect(r.rings.map((x) => x.offered)).toEqual([0, 5, 0]);
    expect((await service.rings(earlyViewer)).rings.map((x) => [x.institutionName, x.ring])).toEqual([
      ['Ministry of Early Birds', 'early'],
    ]);
    expect((await refusal(service.pause(rolloutId, earlyViewer, 'q13'))).code).toBe('national_only');
    expect((await refusal(service.setRing(EARLY, { ring: 'pilot' }, earlyViewer, 'q14'))).code).toBe(
      'national_only',
    );
  });

  it('starts a scheduled rollout and walks its stages on the ticker, then serves stragglers once completed', async () => {
    const start = new Date(Date.now() + 60_000);
    const r = await service.create(
      {
        releaseId: releaseIds.husky!,
        startAt: start.toISOString(),
        stages: [
          { ring: 'pilot', percent: 100, soakMinutes: 1 },
          { ring: 'broad', percent: 100, soakMinutes: 1 },
        ],
      },
      admin,
      'q15',
    );
    expect(r.state).toBe('scheduled');
    const husky = device(BROAD, { model: 'husky' });
    expect(await facts.targetFor(husky)).toBeNull();
    expect(await engine.tick(new Date(start.getTime() - 1))).toEqual([]);
    expect((await engine.tick(start)).map((x) => [x.state, x.currentStage])).toEqual([['running', 0]]);
    expect(await facts.targetFor(husky)).toBeNull();
    expect((await engine.tick(new Date(Date.now() + 3 * 60_000))).map((x) => x.currentStage)).toEqual([1]);
    expect((await facts.targetFor(husky))?.rolloutId).toBe(r.id);
    expect((await engine.tick(new Date(Date.now() + 6 * 60_000))).map((x) => x.state)).toEqual(['completed']);
    // Completed: a handset that was off-line throughout is still offered the build.
    expect((await facts.targetFor(device(BROAD, { model: 'husky' })))?.rolloutId).toBe(r.id);
  });

  it('takes outcomes from the bus as device-mgmt publishes them, once however often they are delivered', async () => {
    // device-mgmt's event as it declares it (this floor cannot import it); our consumer reads it by shape.
    const published = defineEvent('device-mgmt.device.os-update', DeviceOsUpdate.schema, {
      examples: [
        {
          deviceId: 'dev-7',
          institutionId: null,
          rolloutId: 'r-1',
          releaseId: 'rel-1',
          outcome: 'offered',
          at: '2026-12-04T10:00:00.000Z',
        },
      ],
    });
    const bus = new InProcessEventBus(testLogger);
    const listener = new OsUpdateListener(bus, engine, testLogger);
    await listener.onApplicationBootstrap();
    const r = await service.create(
      { releaseId: releaseIds.shibaNew!, stages: [{ ring: 'pilot', percent: 100, soakMinutes: 60 }] },
      admin,
      'q16',
    );
    const deviceId = randomUUID();
    const at = (s: string) => `2026-12-05T10:0${s}:00.000Z`;
    const event = (outcome: 'offered' | 'updated', when: string) =>
      published.create({
        deviceId,
        institutionId: PILOT,
        rolloutId: r.id,
        releaseId: releaseIds.shibaNew!,
        outcome,
        at: at(when),
      });
    const offered = event('offered', '0');
    await bus.publish(offered);
    await bus.publish(event('updated', '5'));
    await bus.publish(offered); // redelivered late: changes nothing
    await expect
      .poll(async () => (await service.get(r.id, admin)).rings.find((g) => g.ring === 'pilot'))
      .toEqual({ ring: 'pilot', offered: 1, updated: 1, failed: 0, pending: 0 });
    await listener.onModuleDestroy();
    await bus.close();
  });
});
