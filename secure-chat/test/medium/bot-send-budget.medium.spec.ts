import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import {
  AppError,
  migrateDomains,
  openDatabase,
  platformDomain,
  type DatabaseHandle,
} from '@pakawaaz/platform';
import { createTestDatabase, testLogger } from '@pakawaaz/test-support';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotBudgets } from '../../src/bots/bot-budget.js';
import { botSendBudgets } from '../../src/bots/bot-budget.schema.js';
import { BotSendBudget } from '../../src/bots/bot-send-budget.guard.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

/*
 * A bot's send budget is the deployment's, not each node's: two nodes (two BotBudgets, each with its own
 * in-memory bucket) on one database give a bot `sendBurst` sends at once and `sendsPerMinute` a minute between
 * them, not twice that — on PostgreSQL, and on the embedded PGlite. The nodes' own clocks are passed in; the
 * database's is moved by backdating the bot's row (a refill is computed on the database's clock).
 */
const domains = [platformDomain, secureChatDomain];
const databases: [string, () => Promise<{ handle: DatabaseHandle; drop(): Promise<void> }>][] = [
  ['PostgreSQL', () => createTestDatabase(domains)],
  [
    'PGlite',
    async () => {
      const handle = await openDatabase({ dataDir: 'memory://', logger: testLogger });
      await migrateDomains(handle, domains, testLogger);
      return { handle, drop: () => handle.close() };
    },
  ],
];

describe.each(databases)('bots’ send budgets (%s, two nodes)', (_name, open) => {
  let db: { handle: DatabaseHandle; drop(): Promise<void> } | undefined;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    db = await open();
    handle = db.handle;
  }, 60_000);
  afterAll(async () => db?.drop());

  // One send every 10 s, bursts of 4 (a burst unlike the rate).
  const node = () => new BotBudgets(handle, { sendsPerMinute: 6, sendBurst: 4 });
  const nodes = (): [BotBudgets, BotBudgets] => [node(), node()];
  /** The database's clock moved on by `seconds` for `bot`'s bucket. */
  const later = (bot: string, seconds: number) =>
    handle.db
      .update(botSendBudgets)
      .set({ at: sql`${botSendBudgets.at} - ${seconds}::float8 * interval '1 second'` })
      .where(eq(botSendBudgets.key, bot));

  it('gives a bot one budget across both nodes, and keeps bots apart', async () => {
    const [a, b] = nodes();
    const bot = randomUUID();
    const decisions = [];
    // Alternating nodes: each has spent 2 of its own 4 when the shared burst of 4 is gone.
    for (let i = 0; i < 6; i++) decisions.push(await (i % 2 ? b : a).take(bot, 0));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false]);
    for (const d of decisions.slice(4)) {
      if (d.allowed) throw new Error('refused above');
      // The next token is at most 10 s away (6 a minute), and said as at least a second.
      expect(d.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(d.retryAfterSeconds).toBeLessThanOrEqual(10);
    }
    const other = randomUUID();
    expect(await b.take(other, 0)).toEqual({ allowed: true });
    expect(await a.take(other, 0)).toEqual({ allowed: true });
  });

  it('refills at the rate, on the database clock, up to the burst and no further', async () => {
    const [a, b] = nodes();
    const bot = randomUUID();
    for (let i = 0; i < 4; i++) expect((await (i % 2 ? b : a).take(bot, 0)).allowed).toBe(true);
    expect((await a.take(bot, 0)).allowed).toBe(false);
    // 10 s later: one send more, on either node — not one per node.
    await later(bot, 10);
    expect(await b.take(bot, 10_000)).toEqual({ allowed: true });
    expect((await a.take(bot, 10_000)).allowed).toBe(false);
    // A quiet hour: the burst of 4 again, not the 6 of a minute, nor 4 per node.
    await later(bot, 3_600);
    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push((await (i % 2 ? b : a).take(bot, 3_610_000)).allowed);
    expect(decisions).toEqual([true, true, true, true, false, false]);
  });

  it('sweeps the rows whose bucket has refilled, and keeps the others', async () => {
    const [full, spent] = [randomUUID(), randomUUID()];
    // Burst 4 at 6 a minute refills from empty in 40 s: a row 41 s old is full, one just written is not.
    await handle.db.insert(botSendBudgets).values([
      { key: full, tokens: 0, at: sql`now() - interval '41 seconds'` },
      { key: spent, tokens: 0, at: sql`now()` },
    ]);
    // A node sweeps on its first send more than a minute into its clock (in the background).
    expect((await node().take(randomUUID(), 61_000)).allowed).toBe(true);
    const left = async () =>
      (await handle.db.select({ key: botSendBudgets.key }).from(botSendBudgets)).map((r) => r.key);
    for (let i = 0; i < 100 && (await left()).includes(full); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await left()).not.toContain(full);
    expect(await left()).toContain(spent);
  });

  it('answers a bot over budget 429 bot_rate_limited on any node, and lets handsets through', async () => {
    const guards = [0, 1].map(
      () => new BotSendBudget(new BotBudgets(handle, { sendsPerMinute: 1, sendBurst: 2 })),
    );
    const as = (kind: 'bot' | 'handset', deviceId: string) =>
      ({
        switchToHttp: () => ({ getRequest: () => ({ device: { kind, deviceId } }) }),
      }) as unknown as ExecutionContext;
    const bot = randomUUID();
    expect(await guards[0]!.canActivate(as('bot', bot))).toBe(true);
    expect(await guards[1]!.canActivate(as('bot', bot))).toBe(true);
    const refused = await guards[0]!.canActivate(as('bot', bot)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'bot_rate_limited', status: 429 });
    const { retryAfterSeconds } = (refused as AppError).details as { retryAfterSeconds: number };
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    const handset = randomUUID();
    for (let i = 0; i < 4; i++) expect(await guards[i % 2]!.canActivate(as('handset', handset))).toBe(true);
  });
});
