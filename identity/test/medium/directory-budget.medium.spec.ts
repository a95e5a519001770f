import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryBudget } from '../../src/directory/directory-budget.js';
import * as identity from '../support/identity-fixture.js';

/*
 * The directory's search budget is the deployment's, not each node's: two nodes (two DirectoryBudget
 * instances, each with its own in-memory bucket) sharing one PostgreSQL give a caller PAKAWAAZ_DIRECTORY_RATE
 * searches a minute between them, not twice that.
 */
let fx: identity.IdentityFixture;
beforeAll(async () => void (fx = await identity.createIdentityFixture()));
afterAll(async () => fx?.close());

describe('DirectoryBudget (PostgreSQL, two nodes)', () => {
  it('gives a caller one budget across both nodes, and keeps callers apart', async () => {
    const nodeA = new DirectoryBudget(fx.handle, { directoryRate: 6 });
    const nodeB = new DirectoryBudget(fx.handle, { directoryRate: 6 });
    const caller = `official:${randomUUID()}`;
    const decisions = [];
    // Alternating nodes: each node alone has spent only 3 of its own 6 when the shared budget of 6 is gone.
    for (let i = 0; i < 8; i++) decisions.push(await (i % 2 ? nodeB : nodeA).take(caller));
    expect(decisions.slice(0, 6).every((d) => d.allowed)).toBe(true);
    expect(decisions.slice(6)).toEqual([
      { allowed: false, retryAfterSeconds: expect.any(Number) as number },
      { allowed: false, retryAfterSeconds: expect.any(Number) as number },
    ]);
    // One token refills in 10 s at 6 a minute: the wait said is at most that, at least a second.
    for (const d of decisions.slice(6)) {
      if (d.allowed) throw new Error('refused above');
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(10);
    }
    // Another caller's budget is untouched, on either node.
    const other = `official:${randomUUID()}`;
    expect(await nodeB.take(other)).toEqual({ allowed: true });
    expect(await nodeA.take(other)).toEqual({ allowed: true });
  });

  it('refills on the database clock: a bucket emptied a minute ago is full again', async () => {
    const node = new DirectoryBudget(fx.handle, { directoryRate: 2 });
    const caller = `official:${randomUUID()}`;
    await identity.query(
      fx.handle,
      `insert into identity.directory_budgets (key, tokens, at) values ('${caller}', 0, now() - interval '61 seconds')`,
    );
    expect(await node.take(caller)).toEqual({ allowed: true });
    expect(await node.take(caller)).toEqual({ allowed: true });
    expect((await node.take(caller)).allowed).toBe(false);
  });
});
