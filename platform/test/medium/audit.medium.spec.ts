import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, type AuditRecord } from '../../src/audit/audit-chain.js';
import { auditLog } from '../../src/audit/audit.schema.js';
import type { AuditInput } from '../../src/audit/audit-input.js';
import { AuditService } from '../../src/audit/audit.service.js';
import type { Actor } from '../../src/auth/principal.js';
import { rowsOf } from '../../src/db/migrate.js';
import { eventReceipts } from '../../src/events/event-receipts.schema.js';
import { platformDomain } from '../../src/platform.domain.js';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';

const alice: Actor = { type: 'operator', id: 'alice' };

let testDb: TestDatabase;
let audit: AuditService;

beforeAll(async () => {
  testDb = await createTestDatabase([platformDomain]);
  audit = new AuditService(testDb.handle);
});

afterAll(async () => {
  await testDb?.drop();
});

// Every test starts from an empty log, so none depends on what another left behind.
beforeEach(async () => {
  await asTamperer('truncate platform.audit_log');
  await testDb.handle.db.delete(eventReceipts);
});

/** What someone with DDL rights can do: switch the append-only triggers off for one statement. */
async function asTamperer(statement: string): Promise<void> {
  // ALTER TABLE is transactional: the triggers are never off for anyone else.
  await testDb.handle.db.transaction(async (tx) => {
    await tx.execute(sql.raw('alter table platform.audit_log disable trigger user'));
    await tx.execute(sql.raw(statement));
    await tx.execute(sql.raw('alter table platform.audit_log enable trigger user'));
  });
}

function barring(n: number): AuditInput {
  return {
    actor: alice,
    action: 'sim.barred',
    target: `sim:${n}`,
    details: { imsi: `0010100000${String(n).padStart(5, '0')}`, n },
  };
}

async function recordMany(count: number): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  for (let i = 1; i <= count; i++) out.push(await audit.record(barring(i)));
  return out;
}

async function allRows(): Promise<AuditRecord[]> {
  return testDb.handle.db.select().from(auditLog).orderBy(asc(auditLog.seq));
}

/** Drizzle wraps driver errors ("Failed query: …"); the database's own message is in the cause chain. */
async function failureText(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const parts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) parts.push(e.message);
    return parts.join(' | ');
  }
  throw new Error('expected the operation to fail');
}

describe('AuditService on a real database', () => {
  it('chains sequential and 50 concurrent appends into one valid chain, seq 1..n', async () => {
    await recordMany(3);
    await Promise.all(Array.from({ length: 50 }, (_, i) => audit.record(barring(100 + i))));
    const rows = await allRows();
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 53 }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.prevHash)).size).toBe(53);
    expect(await audit.verify()).toEqual({ ok: true, entries: 53, head: rows[52]?.hash });
  });

  it('stores exactly what it hashed, whatever order jsonb gives the keys back in', async () => {
    const at = new Date('2025-01-02T03:04:05.678Z');
    const written = await audit.record({
      actor: { type: 'api-token', id: 'tok-7' },
      action: 'identity.operator.roles-changed',
      details: { zeta: { b: 2, a: [1, 'x', null] }, longer_key_first: true, at, tokenId: 'tok-7' },
      requestId: 'req-42',
    });
    const [stored] = await audit.list({ limit: 1 });
    expect(stored).toEqual({
      ...written,
      details: {
        zeta: { b: 2, a: [1, 'x', null] },
        longer_key_first: true,
        at: at.toISOString(),
        tokenId: 'tok-7',
      },
    });
    expect(stored?.hash).toBe(entryHash(GENESIS_HASH, written));
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const [first] = await recordMany(2);
    const db = testDb.handle.db;
    expect(
      await failureText(
        db
          .update(auditLog)
          .set({ details: { imsi: 'forged' } })
          .where(eq(auditLog.seq, 1)),
      ),
    ).toMatch(/audit log is append-only/);
    expect(await failureText(db.delete(auditLog).where(eq(auditLog.seq, 2)))).toMatch(
      /audit log is append-only/,
    );
    expect(await failureText(db.execute(sql.raw('truncate platform.audit_log')))).toMatch(
      /audit log is append-only/,
    );
    const rows = await allRows();
    expect(rows.map((r) => r.seq)).toEqual([1, 2]);
    expect(rows[0]?.details).toEqual(first?.details);
  });

  it('reports the row a tamperer edited with the triggers disabled', async () => {
    const records = await recordMany(10);
    await asTamperer(
      `update platform.audit_log set details = '{"imsi":"001019999999999","n":6}' where seq = 6`,
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      entries: 5,
      brokenAt: { seq: 6, id: records[5]?.id, reason: 'hash_mismatch' },
    });
  });

  it('reports a row edited and re-hashed at its successor, whose prev_hash no longer matches', async () => {
    const records = await recordMany(5);
    const victim = records[2];
    if (!victim) throw new Error('seeded fewer rows than expected');
    const forged = { ...victim, actorId: 'mallory' };
    await asTamperer(
      `update platform.audit_log set actor_id = 'mallory', hash = '${entryHash(victim.prevHash, forged)}' where seq = 3`,
    );
    expect(await audit.verify()).toEqual({
      ok: false,
      entries: 3,
      brokenAt: { seq: 4, id: records[3]?.id, reason: 'prev_hash_mismatch' },
    });
  });

  it('reports a deleted middle row as a sequence gap at the row after it', async () => {
    const records = await recordMany(8);
    await asTamperer('delete from platform.audit_log where seq = 4');
    expect(await audit.verify()).toEqual({
      ok: false,
      entries: 3,
      brokenAt: { seq: 5, id: records[4]?.id, reason: 'sequence_gap' },
    });
  });

  it('verifies across page boundaries (more than 1,000 entries) and finds a break on a later page', async () => {
    await seedChain(1_050);
    const appended = await audit.record(barring(1_051));
    expect(appended.seq).toBe(1_051);
    expect(await audit.verify()).toEqual({ ok: true, entries: 1_051, head: appended.hash });
    await asTamperer(`update platform.audit_log set target = 'sim:other' where seq = 1020`);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      entries: 1_019,
      brokenAt: { seq: 1_020, reason: 'hash_mismatch' },
    });
  });

  it('writes inside the caller’s transaction: a rollback leaves neither the change nor its audit entry', async () => {
    const db = testDb.handle.db;
    const failed = db.transaction(async (tx) => {
      await tx.insert(eventReceipts).values({ consumer: 'test', eventId: 'e-1' });
      await audit.record(barring(1), tx);
      throw new Error('business rule violated after auditing');
    });
    await expect(failed).rejects.toThrow('business rule violated after auditing');
    expect(await allRows()).toEqual([]);
    expect(await db.select().from(eventReceipts)).toEqual([]);

    const committed = await db.transaction(async (tx) => {
      await tx.insert(eventReceipts).values({ consumer: 'test', eventId: 'e-2' });
      return audit.record(barring(2), tx);
    });
    expect(committed.seq).toBe(1);
    expect((await allRows()).map((r) => r.id)).toEqual([committed.id]);
    expect(await db.select({ eventId: eventReceipts.eventId }).from(eventReceipts)).toEqual([
      { eventId: 'e-2' },
    ]);
    expect(await audit.verify()).toEqual({ ok: true, entries: 1, head: committed.hash });
  });

  it('refuses secrets in details at any depth, malformed actions and oversized details, writing nothing', async () => {
    const bad: [AuditInput, RegExp][] = [
      [
        { actor: alice, action: 'identity.operator.created', details: { user: { Password: 'hunter2' } } },
        /"user\.Password"/,
      ],
      [
        { actor: alice, action: 'core-network.sim.imported', details: { sims: [{ imsi: '1', Ki: 'AB' }] } },
        /"sims\.0\.Ki"/,
      ],
      [{ actor: alice, action: 'core-network.sim.imported', details: { opc: 'CD' } }, /"opc"/],
      [
        { actor: alice, action: 'identity.token.issued', details: { key: { private_key: 'x' } } },
        /"key\.private_key"/,
      ],
      [{ actor: alice, action: 'identity.totp.enrolled', details: { SEED: 'x' } }, /"SEED"/],
      [{ actor: alice, action: 'SIM.barred' }, /invalid audit action/],
      [{ actor: alice, action: 'barred' }, /invalid audit action/],
      [{ actor: alice, action: 'sim.barred', details: { blob: 'x'.repeat(16 * 1024) } }, /limit is 16384/],
      [{ actor: alice, action: 'sim.barred', details: { n: Number.NaN } }, /non-finite/],
    ];
    for (const [input, message] of bad) await expect(audit.record(input)).rejects.toThrow(message);
    const leak = await failureText(
      audit.record({
        actor: alice,
        action: 'sim.barred',
        details: { k: '465B5CE8B199B49FAA5F0A2EE238A6BC' },
      }),
    );
    expect(leak).toMatch(/key "k" is not allowed/);
    expect(leak).not.toContain('465B5CE8B199B49FAA5F0A2EE238A6BC');
    expect(await allRows()).toEqual([]);
    // Names that merely contain a secret word are fine: audit needs token ids and key fingerprints.
    const ok = await audit.record({
      actor: alice,
      action: 'identity.token.revoked',
      details: { tokenId: 't-1', keyFingerprint: 'ab:cd' },
    });
    expect(ok.seq).toBe(1);
  });

  it('lists newest first, pages with beforeSeq and filters by action', async () => {
    await recordMany(5);
    await audit.record({ actor: alice, action: 'sim.unbarred', target: 'sim:3' });
    expect((await audit.list({ limit: 3 })).map((r) => r.seq)).toEqual([6, 5, 4]);
    expect((await audit.list({ limit: 3, beforeSeq: 4 })).map((r) => r.seq)).toEqual([3, 2, 1]);
    expect((await audit.list({ action: 'sim.unbarred' })).map((r) => r.target)).toEqual(['sim:3']);
    await expect(audit.list({ limit: 201 })).rejects.toThrow(RangeError);

    const first = await audit.page({ limit: 4 });
    expect(first.entries.map((e) => e.seq)).toEqual([6, 5, 4, 3]);
    expect(first.entries[0]).not.toHaveProperty('hash');
    expect(typeof first.entries[0]?.at).toBe('string');
    expect(first.nextBeforeSeq).toBe(3);
    expect(await audit.page({ limit: 2, beforeSeq: 3 })).toMatchObject({ nextBeforeSeq: null });
  });

  it('flattens the verification for the API', async () => {
    const [, second] = await recordMany(2);
    const noCheckpoints = { checkpoints: { count: 0, latest: null }, checkpointProblem: null };
    expect(await audit.verification()).toEqual({
      ok: true,
      entries: 2,
      head: second?.hash,
      brokenAt: null,
      ...noCheckpoints,
    });
    await asTamperer('delete from platform.audit_log where seq = 1');
    expect(await audit.verification()).toEqual({
      ok: false,
      entries: 0,
      head: null,
      brokenAt: { seq: 2, id: second?.id, reason: 'sequence_gap' },
      ...noCheckpoints,
    });
  });
});

/** A valid chain of n entries written in bulk, so the paging test does not spend seconds in record(). */
async function seedChain(n: number): Promise<void> {
  const rows: AuditRecord[] = [];
  let prevHash = GENESIS_HASH;
  const t0 = Date.now();
  for (let seq = 1; seq <= n; seq++) {
    const entry = {
      seq,
      id: crypto.randomUUID(),
      at: new Date(t0 + seq),
      actorType: 'system',
      actorId: 'seed',
      action: 'test.seeded',
      target: null,
      details: { seq },
      requestId: null,
    };
    const hash = entryHash(prevHash, entry);
    rows.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  for (let i = 0; i < rows.length; i += 500)
    await testDb.handle.db.insert(auditLog).values(rows.slice(i, i + 500));
  const count = rowsOf<{ n: number }>(
    await testDb.handle.db.execute(sql`select count(*)::int as n from platform.audit_log`),
  );
  expect(count[0]?.n).toBe(n);
}
