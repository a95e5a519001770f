import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadBotsConfig, type BotsConfig } from '../../src/bots/bots.config.js';
import type { BotsRepository } from '../../src/bots/bots.repository.js';
import type { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { BotWebhookCluster } from '../support/bot-webhook-cluster.js';

/*
 * Two nodes of a cluster (two BotWebhooks on one database, PostgreSQL; PGlite when it is not reachable) and one
 * local webhook receiver. A failing webhook is retried after the back-off the database holds — by whichever
 * node, never once per sweep per node, nor at once by a node that starts; one node drains a bot at a time (a
 * lease in the database), so a batch is POSTed once when both are woken together; a dead node's lease expires.
 * Short back-off (0.6 s) and sweeps (50 ms) keep it fast.
 */

const BACKOFF_MS = 600;
const config: BotsConfig = {
  ...loadBotsConfig({ PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: 'true' }),
  webhookTimeoutMs: 2000,
  maxBackoffMs: BACKOFF_MS,
  drainLeaseMs: 5000,
  sweepMs: 50,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Hit = { at: number; id: string; seqs: number[] };

let status = 500;
let hits: Hit[] = [];
const cluster = new BotWebhookCluster(config, (req, raw, res) => {
  const body = JSON.parse(raw.toString()) as { envelopes: { seq: number }[] };
  hits.push({
    at: Date.now(),
    id: String(req.headers['webhook-id']),
    seqs: body.envelopes.map((e) => e.seq),
  });
  // A receiver that takes a moment, so two nodes draining at once would overlap.
  setTimeout(() => res.writeHead(status).end(), 20);
});
let bots: BotsRepository;
let queues: DeliveryRepository;
let url: string;

beforeAll(async () => {
  await cluster.start();
  ({ bots, queues, url } = cluster);
}, 60_000);

afterEach(async () => {
  await cluster.reset();
  hits = [];
});

afterAll(() => cluster.close());

const node = () => cluster.node();

/** An active bot with `count` envelopes queued. */
const botWith = async (count: number): Promise<string> => {
  const row = await bots.insert({
    institutionId: randomUUID(),
    name: 'e-Office',
    webhookUrl: url,
    webhookSecret: 'sealed',
    createdBy: 'operator:test',
  });
  await bots.update(row.id, { state: 'active', enrolledAt: new Date() });
  const groupId = randomBytes(16).toString('base64url');
  const envelope = {
    groupId,
    senderDevice: randomUUID(),
    kind: 'application' as const,
    body: randomBytes(64),
  };
  await queues.enqueueAll(
    Array.from({ length: count }, () => ({ deviceIds: [row.id], envelope })),
    queues.db,
  );
  return row.id;
};

/** Waits until the bot's queue is empty and no node is delivering. */
const drained = async (id: string) => {
  for (let i = 0; i < 200 && ((await bots.hasQueue(id)) || cluster.busy()); i++) await sleep(25);
};

/** A node started now (and woken for the bot): nothing POSTed before `notBeforeMs`, then the one envelope. */
const startedNodeDelivers = async (id: string, notBeforeMs: number) => {
  const started = Date.now();
  const n = node();
  n.onApplicationBootstrap();
  await sleep(100);
  n.queued([id]);
  await sleep(notBeforeMs - 300);
  expect(hits).toEqual([]);
  await drained(id);
  expect(hits).toHaveLength(1);
  expect(hits[0]!.at - started).toBeGreaterThanOrEqual(notBeforeMs - 50);
};

describe('bot webhooks in a cluster: the back-off and the drain lease are in the database', () => {
  it('a failing webhook is retried after the back-off, not once per sweep per node', async () => {
    status = 500;
    const id = await botWith(1);
    const [a, b] = [node(), node()];
    a.onApplicationBootstrap();
    b.onApplicationBootstrap();
    await sleep(2100);
    a.onModuleDestroy();
    b.onModuleDestroy();
    await sleep(100);
    // The first at once, then one every 0.48–0.72 s (±20 % jitter): 3 to 5 in 2.1 s, whichever node sent them.
    expect(hits.length).toBeGreaterThanOrEqual(3);
    expect(hits.length).toBeLessThanOrEqual(5);
    for (let k = 1; k < hits.length; k++)
      expect(hits[k]!.at - hits[k - 1]!.at).toBeGreaterThanOrEqual(BACKOFF_MS * 0.8 - 20);
    expect(new Set(hits.map((h) => h.id)).size).toBe(1);
    const row = await bots.byId(id);
    expect(row).toMatchObject({ failures: hits.length, lastError: 'HTTP 500', drainingUntil: null });
    expect(row!.nextAttemptAt!.getTime()).toBeGreaterThan(hits.at(-1)!.at);
  });

  it('a node that starts waits for the next attempt the database holds (a wake does not hurry it)', async () => {
    status = 204;
    const id = await botWith(1);
    await bots.update(id, { failures: 4, lastError: 'HTTP 503', nextAttemptAt: new Date(Date.now() + 1000) });
    await startedNodeDelivers(id, 1000);
    expect(await bots.byId(id)).toMatchObject({ failures: 0, lastError: null, nextAttemptAt: null });
  });

  it('two nodes woken at once POST each batch once (one drains, the other finds the lease taken)', async () => {
    status = 204;
    const id = await botWith(250);
    const [a, b] = [node(), node()];
    for (const n of [a, b]) n.remember(id, true);
    a.queued([id]);
    b.queued([id]);
    // More wakes while the queue drains, as new envelopes would bring.
    for (let i = 0; i < 5; i++) {
      await sleep(15);
      b.queued([id]);
      a.queued([id]);
    }
    await drained(id);
    const seqs = hits.flatMap((h) => h.seqs);
    expect(hits.map((h) => h.seqs.length)).toEqual([100, 100, 50]);
    expect(seqs).toEqual(Array.from({ length: 250 }, (_, k) => k + 1));
    expect(new Set(hits.map((h) => h.id)).size).toBe(3);
    expect(await bots.byId(id)).toMatchObject({ drainingUntil: null, drainLease: null });
  });

  it('a node that dies while draining leaves a lease that expires; another node then delivers', async () => {
    status = 204;
    const id = await botWith(1);
    // The dead node's claim: a short lease it never renews nor releases.
    expect(await bots.claimDrain(id, randomUUID(), 700)).not.toBeNull();
    await startedNodeDelivers(id, 700);
  });
});
