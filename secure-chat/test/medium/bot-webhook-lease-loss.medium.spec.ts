import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBotsConfig, type BotsConfig } from '../../src/bots/bots.config.js';
import type { BotsRepository } from '../../src/bots/bots.repository.js';
import { chatBots } from '../../src/bots/bots.schema.js';
import type { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { BotWebhookCluster } from '../support/bot-webhook-cluster.js';

/*
 * The edges of the drain lease (bot-webhook-lease.medium.spec.ts has the cluster's ordinary course), on one
 * database (PostgreSQL; PGlite when it is not reachable):
 * - a node whose POST outlives its lease (a 300 ms lease here, a first response taking 900 ms; in production a
 *   node or database stalled past the 50 s lease) writes nothing to the bot's row when it answers at last: the
 *   node that claimed the lease since owns the failures, the last error and the next attempt;
 * - the sweep's 1000 bots are the due ones, most overdue first: bots backing off beyond the next sweep do not
 *   fill them and starve a bot that is due.
 */

const LEASE_MS = 300;
const SLOW_MS = 900;
const config: BotsConfig = {
  ...loadBotsConfig({ PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: 'true' }),
  webhookTimeoutMs: 2000,
  maxBackoffMs: 60_000,
  drainLeaseMs: LEASE_MS,
  sweepMs: 60_000,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The receiver's answers in turn: the first slow, the second quick. */
let answers: number[] = [];
let posts = 0;
const cluster = new BotWebhookCluster(config, (_req, _body, res) => {
  const k = posts++;
  setTimeout(() => res.writeHead(answers[k] ?? 204).end(), k === 0 ? SLOW_MS : 10);
});
let bots: BotsRepository;
let queues: DeliveryRepository;

beforeAll(async () => {
  await cluster.start();
  ({ bots, queues } = cluster);
}, 60_000);

afterEach(async () => {
  await cluster.reset();
  posts = 0;
});

afterAll(() => cluster.close());

const envelope = () => ({
  groupId: randomBytes(16).toString('base64url'),
  senderDevice: null,
  kind: 'application' as const,
  body: randomBytes(8),
});

/** Node A claims and POSTs (slowly); its lease expires; node B claims and POSTs the batch again (quickly). */
const leaseOutlived = async (): Promise<string> => {
  const row = await bots.insert({
    institutionId: randomUUID(),
    name: 'e-Office',
    webhookUrl: cluster.url,
    webhookSecret: 'sealed',
    createdBy: 'operator:test',
  });
  await bots.update(row.id, { state: 'active', enrolledAt: new Date() });
  await queues.enqueueAll([{ deviceIds: [row.id], envelope: envelope() }], queues.db);
  const [a, b] = [cluster.node(), cluster.node()];
  for (const n of [a, b]) n.remember(row.id, true);
  a.queued([row.id]);
  await sleep(LEASE_MS + 150);
  b.queued([row.id]);
  // Until A has its answer and is done (B long before it).
  for (let i = 0; i < 100 && cluster.busy(); i++) await sleep(20);
  expect(cluster.busy()).toBe(false);
  // The batch was POSTed twice — at least once, the same webhook-id (documented).
  expect(posts).toBe(2);
  expect(await bots.hasQueue(row.id)).toBe(false);
  return row.id;
};

describe('a node whose POST outlived its drain lease writes nothing to the bot row', () => {
  it('its late failure does not back off a bot another node has since delivered to', async () => {
    answers = [500, 204];
    const id = await leaseOutlived();
    expect(await bots.byId(id)).toMatchObject({ failures: 0, lastError: null, nextAttemptAt: null });
  });

  it('its late success does not clear the back-off another node has since set', async () => {
    answers = [204, 503];
    const id = await leaseOutlived();
    const row = await bots.byId(id);
    expect(row).toMatchObject({ failures: 1, lastError: 'HTTP 503' });
    expect(row!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
  });
});

describe('the sweep', () => {
  it('returns the due bots, most overdue first, however many others back off', async () => {
    const inst = randomUUID();
    /** `count` active bots named `name`, their next attempt `at` (an SQL expression). */
    const insert = (count: number, name: string, at: ReturnType<typeof sql>) =>
      bots.db.execute(sql`insert into secure_chat.bots
          (institution_id, name, webhook_url, webhook_secret, created_by, state, failures, next_attempt_at)
        select ${inst}::uuid, ${name}, 'https://x.example/h', 's', 't', 'active', 9, ${at}
        from generate_series(1, ${count}::integer)`);
    // Inserted first: an unordered scan would meet them first.
    await insert(1000, 'backing off', sql`now() + interval '1 hour'`);
    await insert(1000, 'due before the next sweep', sql`now() + interval '5 seconds'`);
    await insert(1, 'overdue', sql`now() - interval '1 minute'`);
    await insert(1, 'due', sql`null`);
    const all = await bots.db
      .select({ id: chatBots.id, name: chatBots.name })
      .from(chatBots)
      .where(sql`${chatBots.institutionId} = ${inst}::uuid`);
    await queues.enqueueAll([{ deviceIds: all.map((b) => b.id), envelope: envelope() }], queues.db);
    const name = new Map(all.map((b) => [b.id, b.name]));

    const swept = await bots.activeWithQueue(15_000);

    expect(swept).toHaveLength(1000);
    expect(swept.slice(0, 2).map((b) => [name.get(b.id), b.waitMs])).toEqual([
      ['due', 0],
      ['overdue', 0],
    ]);
    expect(new Set(swept.slice(2).map((b) => name.get(b.id)))).toEqual(
      new Set(['due before the next sweep']),
    );
    for (const b of swept.slice(2)) expect(b.waitMs).toBeGreaterThan(0);
  }, 120_000);
});
