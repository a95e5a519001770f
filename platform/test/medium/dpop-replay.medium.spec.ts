import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { DatabaseDpopReplay } from '../../src/auth/dpop-replay.js';
import { dpopSpentProofs } from '../../src/auth/dpop-replay.schema.js';
import { platformDomain } from '../../src/platform.domain.js';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase([platformDomain]);
});

afterAll(async () => {
  await testDb?.drop();
});

describe('spent DPoP proofs, shared by the nodes of a deployment (RFC 9449 §11.1)', () => {
  const now = Date.UTC(2026, 11, 5, 12);
  const proof = (jti: string, jkt = 'key-a') => ({ jkt, jti, expiresAtMs: now + 60_000 });

  it('a proof spent on one node is refused on another', async () => {
    const nodeA = new DatabaseDpopReplay(testDb.handle.db);
    const nodeB = new DatabaseDpopReplay(testDb.handle.db);
    expect(await nodeA.spend(proof('jti-0001'), now)).toBe(true);
    expect(await nodeB.spend(proof('jti-0001'), now + 1000)).toBe(false);
    expect(await nodeA.spend(proof('jti-0001'), now + 2000)).toBe(false);
    // The same jti under another key is another proof.
    expect(await nodeB.spend(proof('jti-0001', 'key-b'), now)).toBe(true);
  });

  it('races for one proof: exactly one node wins', async () => {
    const nodes = Array.from({ length: 6 }, () => new DatabaseDpopReplay(testDb.handle.db));
    const won = await Promise.all(nodes.map((n) => n.spend(proof('jti-race'), now)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('forgets a proof once it is stale: its row is taken over, and swept', async () => {
    const node = new DatabaseDpopReplay(testDb.handle.db, 0);
    expect(await node.spend(proof('jti-late'), now)).toBe(true);
    expect(await node.spend(proof('jti-late'), now + 121_000)).toBe(true);
    await node.spend(proof('jti-sweeper'), now + 200_000);
    await new Promise((r) => setTimeout(r, 200));
    const left = await testDb.handle.db.select().from(dpopSpentProofs);
    expect(left.every((r) => r.expiresAt.getTime() >= now + 120_000)).toBe(true);
    expect(left.length).toBeLessThan(5);
  });

  it('nodes whose clocks are up to a minute apart: one running ahead does not free a proof still valid elsewhere', async () => {
    const ahead = new DatabaseDpopReplay(testDb.handle.db, 0);
    const behind = new DatabaseDpopReplay(testDb.handle.db, 0);
    expect(await behind.spend(proof('jti-skew'), now)).toBe(true);
    // 50 s ahead, at real time now + 20 s: past the proof's expiry on its clock; it sweeps.
    await ahead.spend(proof('jti-skew-sweep'), now + 70_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(await ahead.spend(proof('jti-skew'), now + 70_000)).toBe(false);
    // The node behind still accepts the proof's iat: the spend must still refuse it.
    expect(await behind.spend(proof('jti-skew'), now + 20_000)).toBe(false);
  });
});
