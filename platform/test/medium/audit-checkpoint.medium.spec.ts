import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { entryHash, type AuditRecord } from '../../src/audit/audit-chain.js';
import { signCheckpoint } from '../../src/audit/audit-checkpoint.js';
import { auditCheckpoints, auditLog } from '../../src/audit/audit.schema.js';
import { AuditService } from '../../src/audit/audit.service.js';
import { FileKeyBackend } from '../../src/keys/file-key-backend.js';
import { KeyService, type Signer } from '../../src/keys/key.service.js';
import { createLogger } from '../../src/logging/logger.js';
import { platformDomain } from '../../src/platform.domain.js';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';

let testDb: TestDatabase;
let signer: Signer;
let otherSigner: Signer;
let audit: AuditService;

async function newSigner(): Promise<Signer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'audit-checkpoint-'));
  const keys = new KeyService(new FileKeyBackend(), createLogger({ level: 'silent' }));
  return keys.useSigner({
    name: 'audit-checkpoint',
    file: path.join(dir, 'audit-checkpoint.jwk'),
    alg: 'EdDSA',
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase([platformDomain]);
  signer = await newSigner();
  otherSigner = await newSigner();
  audit = new AuditService(testDb.handle, signer);
});

afterAll(async () => {
  await testDb?.drop();
});

beforeEach(async () => {
  await asSuperuser('truncate platform.audit_log, platform.audit_checkpoints');
});

/** What a database superuser can do: switch the append-only triggers off for the statement. */
async function asSuperuser(statement: string): Promise<void> {
  await testDb.handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw('alter table platform.audit_log disable trigger user'));
    await tx.execute(sql.raw('alter table platform.audit_checkpoints disable trigger user'));
    await tx.execute(sql.raw(statement));
    await tx.execute(sql.raw('alter table platform.audit_log enable trigger user'));
    await tx.execute(sql.raw('alter table platform.audit_checkpoints enable trigger user'));
  });
}

async function recordMany(from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++)
    await audit.record({
      actor: { type: 'operator', id: 'alice' },
      action: 'sim.barred',
      target: `sim:${n}`,
    });
}

describe('signed audit checkpoints', () => {
  it('anchor an intact chain: verify passes and names the latest checkpoint', async () => {
    await recordMany(1, 5);
    expect(await audit.checkpoint()).toMatchObject({ n: 1, seq: 5 });
    await recordMany(6, 8);
    expect(await audit.checkpoint()).toMatchObject({ n: 2, seq: 8 });
    // Nothing new and the last one is fresh: a second node skips it.
    expect(await audit.checkpoint(60_000)).toBeNull();
    const r = await audit.verification();
    expect(r).toMatchObject({ ok: true, entries: 8, checkpointProblem: null });
    expect(r.checkpoints).toMatchObject({ count: 2, latest: { n: 2, seq: 8 } });
  });

  it('report the newest entries deleted by a superuser (the chain alone still verifies)', async () => {
    await recordMany(1, 10);
    await audit.checkpoint();
    await asSuperuser('delete from platform.audit_log where seq > 7');
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 7 }); // what verify saw before checkpoints
    const r = await audit.verification();
    expect(r.ok).toBe(false);
    expect(r.brokenAt).toBeNull();
    expect(r.checkpointProblem).toMatchObject({ reason: 'truncated', n: 1, seq: 10 });
    expect(r.checkpointProblem?.message).toContain('entries #8–#10 were deleted');
  });

  it('report a chain rewritten and re-hashed past a checkpoint', async () => {
    await recordMany(1, 5);
    await audit.checkpoint();
    const rows: AuditRecord[] = await testDb.handle.db.select().from(auditLog).orderBy(asc(auditLog.seq));
    // Entry 3 gets another actor, and 3..5 are re-hashed so the chain itself is consistent again.
    let prev = rows[1]!.hash;
    const updates: string[] = [];
    for (const row of rows.slice(2)) {
      const entry = row.seq === 3 ? { ...row, actorId: 'mallory' } : row;
      const hash = entryHash(prev, { ...entry, prevHash: prev } as AuditRecord);
      updates.push(
        `update platform.audit_log set actor_id = '${entry.actorId}', prev_hash = '${prev}', hash = '${hash}' where seq = ${row.seq}`,
      );
      prev = hash;
    }
    for (const u of updates) await asSuperuser(u);
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 5 });
    const r = await audit.verification();
    expect(r).toMatchObject({ ok: false, checkpointProblem: { reason: 'checkpoint_mismatch', seq: 5 } });
    expect(r.checkpointProblem?.message).toContain('rewritten past the checkpoint');
  });

  it('cannot be rewritten, forged or dropped without the key', async () => {
    await recordMany(1, 6);
    await audit.checkpoint();
    await recordMany(7, 9);
    await audit.checkpoint();
    // Truncate to 6 and move the newer checkpoint down to match: its signature no longer fits.
    await asSuperuser('delete from platform.audit_log where seq > 6');
    await asSuperuser(
      `update platform.audit_checkpoints set seq = 6, hash = (select hash from platform.audit_log where seq = 6) where n = 2`,
    );
    expect((await audit.verification()).checkpointProblem).toMatchObject({
      n: 2,
      reason: 'checkpoint_invalid',
    });
    // A checkpoint signed with another key.
    const [first] = await testDb.handle.db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.n));
    const forged = await signCheckpoint(
      { n: 2, seq: 6, hash: first!.hash, at: new Date(), prevSignature: first!.signature },
      otherSigner,
    );
    await asSuperuser('delete from platform.audit_checkpoints where n = 2');
    await testDb.handle.db.insert(auditCheckpoints).values(forged);
    expect((await audit.verification()).checkpointProblem).toMatchObject({
      n: 2,
      reason: 'checkpoint_invalid',
    });
    // A checkpoint in the middle deleted.
    await asSuperuser('delete from platform.audit_checkpoints where n = 2');
    await audit.checkpoint();
    await audit.checkpoint();
    await asSuperuser('delete from platform.audit_checkpoints where n = 2');
    expect((await audit.verification()).checkpointProblem).toMatchObject({
      n: 3,
      reason: 'checkpoint_missing',
    });
  });

  it('are append-only for the application, and reported unverifiable when the key is missing', async () => {
    await recordMany(1, 2);
    await audit.checkpoint();
    await expect(testDb.handle.db.delete(auditCheckpoints)).rejects.toThrow();
    const r = await audit.verification({ checkpointKey: null });
    expect(r).toMatchObject({ ok: false, checkpointProblem: { reason: 'checkpoint_key_missing' } });
  });
});

describe('checkpoint coverage (checkpoints deleted along with the newest rows)', () => {
  const T0 = new Date('2026-12-01T10:00:00Z').getTime();
  const at = (minutes: number) => vi.setSystemTime(T0 + minutes * 60_000);
  const interval = { checkpointIntervalSeconds: 300 };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('report every checkpoint deleted, then the newest rows', async () => {
    at(0);
    await recordMany(1, 5);
    await audit.checkpoint();
    at(30);
    await recordMany(6, 8);
    await audit.checkpoint();
    expect(await audit.verification(interval)).toMatchObject({ ok: true, checkpointProblem: null });
    await asSuperuser('delete from platform.audit_checkpoints');
    await asSuperuser('delete from platform.audit_log where seq > 6');
    const r = await audit.verification(interval);
    expect(r.brokenAt).toBeNull();
    expect(r).toMatchObject({ ok: false, checkpointProblem: { reason: 'checkpoints_deleted', seq: 1 } });
  });

  it('report the newest checkpoints deleted when older entries are left uncovered', async () => {
    at(0);
    await recordMany(1, 3);
    await audit.checkpoint();
    at(1);
    await recordMany(4, 4);
    at(30);
    await recordMany(5, 6);
    // The server would have signed #4..#6 by now; only checkpoint 1 (up to #3) is left.
    const r = await audit.verification(interval);
    expect(r).toMatchObject({ ok: false, checkpointProblem: { reason: 'checkpoint_stale', n: 1, seq: 3 } });
  });

  it('do not report a young log, a just-started server or a stopped one verified later', async () => {
    at(0);
    await recordMany(1, 3);
    at(9); // within two intervals of the oldest uncovered entry: a checkpoint may not be due yet
    await recordMany(4, 4);
    expect(await audit.verification(interval)).toMatchObject({ ok: true, checkpointProblem: null });
    await audit.checkpoint();
    // Verified much later (the server stopped): measured against the newest entry, not the clock.
    at(24 * 60);
    expect(await audit.verification(interval)).toMatchObject({ ok: true, checkpointProblem: null });
    at(24 * 60 + 1);
    await recordMany(5, 5);
    expect(await audit.verification(interval)).toMatchObject({ ok: true, checkpointProblem: null });
  });
});
