import { randomUUID } from 'node:crypto';
import { AuditService, platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, operatorPrincipal, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardenedOsDomain } from '../../src/hardened-os.domain.js';
import { OsReleasesFacts } from '../../src/registry/os-releases.facts.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { InstitutionNames } from '../../src/rollouts/institution-names.js';
import { OsRolloutsFacts } from '../../src/rollouts/os-rollouts.facts.js';
import { RolloutEngine } from '../../src/rollouts/rollout-engine.service.js';
import type { Outcome, Stage } from '../../src/rollouts/rollout-rules.js';
import { RolloutsRepository } from '../../src/rollouts/rollouts.repository.js';
import { RolloutsService } from '../../src/rollouts/rollouts.service.js';

/** The automatic halt and outcome ordering, against the review's sequences (PostgreSQL via the test database). */
const INSTITUTION = '0b1f6a3c-1111-4a55-9a43-4c1ef0f7e0b2';
const admin = operatorPrincipal('op-os-admin', ['os-admin']);

let db: TestDatabase;
let service: RolloutsService;
let engine: RolloutEngine;
let facts: OsRolloutsFacts;
let rolloutsRepo: RolloutsRepository;
let audit: AuditService;
const releaseIds: Record<string, string> = {};
const TWO_STAGES: Stage[] = [
  { ring: 'pilot', percent: 100, soakMinutes: 1 },
  { ring: 'broad', percent: 100, soakMinutes: 1 },
];

const build = (model: string, id: string) => ({
  model,
  buildId: id,
  fingerprint: `google/${model}/${model}:15/${id}/1:user/release-keys`,
  version: '15',
  securityPatchLevel: '2025-01-05',
  channel: 'stable' as const,
  notes: '',
});

async function rollout(model: 'shiba' | 'husky', stages = TWO_STAGES, minOutcomes = 5) {
  const r = await service.create({ releaseId: releaseIds[model]!, stages, minOutcomes }, admin, 'c');
  const report = (
    deviceId: string,
    outcome: Outcome,
    at = '2026-12-04T10:00:00Z',
    institutionId = INSTITUTION,
  ) =>
    engine.record({ deviceId, institutionId, rolloutId: r.id, releaseId: releaseIds[model]!, outcome, at });
  return { id: r.id, report };
}
const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

/** Outcomes of stage 0 (pilot) straight into the repository, past every check an outcome report runs. */
async function recordPilotOutcomes(rolloutId: string, outcomes: readonly ('failed' | 'updated')[]) {
  for (const outcome of outcomes)
    await rolloutsRepo.recordOutcome({
      rolloutId,
      deviceId: randomUUID(),
      institutionId: INSTITUTION,
      ring: 'pilot',
      stage: 0,
      outcome,
      detail: null,
      at: new Date(),
    });
}

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, hardenedOsDomain]);
  const repo = new RegistryRepository(db.handle);
  audit = new AuditService(db.handle);
  const registry = new RegistryService(db.handle, repo, new OsReleasesFacts(repo), audit);
  rolloutsRepo = new RolloutsRepository(db.handle);
  facts = new OsRolloutsFacts(rolloutsRepo, repo);
  engine = new RolloutEngine(db.handle, rolloutsRepo, facts, audit);
  const names = new InstitutionNames({ get: () => ({ phaseOf: () => null }) } as never);
  service = new RolloutsService(db.handle, rolloutsRepo, repo, engine, facts, names, audit);
  await registry.addModel(
    { codename: 'shiba', manufacturer: 'Google', name: 'Pixel 8', strongBox: true },
    admin,
    'r1',
  );
  await registry.addModel({ codename: 'husky', manufacturer: 'Google', strongBox: true }, admin, 'r2');
  releaseIds.shiba = (await registry.addRelease(build('shiba', 'BP1A.250105.004'), admin, 'r3')).id;
  releaseIds.husky = (await registry.addRelease(build('husky', 'BP1A.250105.004'), admin, 'r4')).id;
});
afterAll(async () => {
  await db?.drop();
});

describe('the automatic halt', () => {
  it('F,F,F,F then U,U,…: halts on the first success that brings enough outcomes, and never advances', async () => {
    const { id, report } = await rollout('shiba');
    for (let i = 0; i < 4; i++) expect(await report(randomUUID(), 'failed')).toBe('recorded');
    expect(await report(randomUUID(), 'updated')).toBe('halted');
    for (let i = 0; i < 5; i++) await report(randomUUID(), 'updated');
    expect(await engine.tick(later(5))).toEqual([]);
    const r = await service.get(id, admin);
    expect([r.state, r.currentStage, r.haltReason]).toEqual([
      'halted',
      0,
      '4 of 5 updated devices failed (80%) in stage pilot 100%; threshold 5%',
    ]);
  });

  it('counts failures of an earlier stage after the rollout widened', async () => {
    const { id, report } = await rollout('shiba');
    for (let i = 0; i < 4; i++) await report(randomUUID(), 'failed');
    expect((await service.advance(id, admin, 'a')).currentStage).toBe(1);
    expect(await report(randomUUID(), 'updated', undefined, randomUUID())).toBe('halted');
    expect((await service.get(id, admin)).haltReason).toBe(
      '4 of 5 updated devices failed (80%) across the rollout; threshold 5%',
    );
  });

  it('the ticker halts instead of advancing a stage whose rate is over the threshold', async () => {
    const { id } = await rollout('shiba');
    // Outcomes on record that no outcome's own check halted on (it lost a race with a step, or predates it).
    await recordPilotOutcomes(id, ['failed', 'failed', 'updated', 'updated', 'updated']);
    expect((await engine.tick(later(5))).map((r) => [r.id, r.state, r.currentStage])).toEqual([
      [id, 'halted', 0],
    ]);
    expect((await service.get(id, admin)).haltReason).toMatch(
      /^2 of 5 updated devices failed \(40%\) in stage pilot/,
    );
  });

  it('refuses a manual advance over the threshold (409 rollout_stage_over_threshold) unless forced, and audits the override', async () => {
    const { id } = await rollout('shiba');
    // Over the threshold on record, before any check halted it (the ticker has not run yet).
    await recordPilotOutcomes(id, ['failed', 'failed', 'updated', 'updated', 'updated']);
    const refused = await service.advance(id, admin, 'adv-1').then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect(refused?.code).toBe('rollout_stage_over_threshold');
    expect(refused?.message).toMatch(/2 of 5 updated devices failed \(40%\).*--force.*"force": true/);
    expect((await service.get(id, admin)).currentStage).toBe(0);
    expect((await service.advance(id, admin, 'adv-2', true)).currentStage).toBe(1);
    const [entry] = await audit.list({ action: 'hardened-os.rollout.advanced', limit: 1 });
    expect(entry).toMatchObject({
      target: `os-rollout:${id}`,
      requestId: 'adv-2',
      details: { forced: true, overThreshold: expect.stringMatching(/^2 of 5/) as unknown },
    });
    await service.halt(id, 'test over', admin, 'h');
  });

  it('halts a completed rollout still offered to stragglers once its failures pass the threshold', async () => {
    const { id, report } = await rollout('husky', [{ ring: 'broad', percent: 100, soakMinutes: 0 }]);
    expect((await engine.tick(later(1))).map((r) => r.state)).toEqual(['completed']);
    const straggler = { id: randomUUID(), institutionId: null, model: 'husky', osBuild: 'AP2A.241105.001' };
    expect((await facts.targetFor(straggler))?.rolloutId).toBe(id);
    for (let i = 0; i < 4; i++) await report(randomUUID(), 'updated', undefined, randomUUID());
    expect(await report(randomUUID(), 'failed', undefined, randomUUID())).toBe('halted');
    expect((await service.get(id, admin)).state).toBe('halted');
    expect(await facts.targetFor(straggler)).toBeNull();
  });
});

describe('outcome ordering', () => {
  it('a result outranks the offer whatever the node clocks; failed after updated stands; redelivery changes nothing', async () => {
    const { id, report } = await rollout('shiba', TWO_STAGES, 1000);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    // a: updated on a node whose clock is behind the one that stamped the offer (delivered after it).
    expect(await report(a, 'offered', '2026-12-04T10:05:00Z')).toBe('recorded');
    expect(await report(a, 'updated', '2026-12-04T10:00:00Z')).toBe('recorded');
    // b: the offer arrives after the result, stamped later: the result stays.
    expect(await report(b, 'updated', '2026-12-04T10:00:00Z')).toBe('recorded');
    expect(await report(b, 'offered', '2026-12-04T10:05:00Z')).toBe('unchanged');
    // c: updated, then failed after the update (boot or attestation) stamped earlier by another node.
    expect(await report(c, 'updated', '2026-12-04T10:05:00Z')).toBe('recorded');
    expect(await report(c, 'failed', '2026-12-04T10:04:00Z')).toBe('recorded');
    expect(await report(c, 'updated', '2026-12-04T10:05:00Z')).toBe('unchanged');
    expect(await report(c, 'failed', '2026-12-04T10:04:00Z')).toBe('unchanged');
    const r = await service.get(id, admin);
    expect(r.stages[0]!.progress).toEqual({ offered: 3, updated: 2, failed: 1, pending: 0 });
  });
});
