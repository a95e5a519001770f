import { randomUUID } from 'node:crypto';
import type { BotCertificates } from '@pakawaaz/device-mgmt';
import { AuditService, platformDomain, type Role } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotSecrets } from '../../src/bots/bot-secrets.js';
import type { BotWebhooks } from '../../src/bots/bot-webhooks.service.js';
import { loadBotsConfig } from '../../src/bots/bots.config.js';
import { BotsRepository } from '../../src/bots/bots.repository.js';
import { BotsService } from '../../src/bots/bots.service.js';
import type { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { operator } from '../support/chat-admin.js';

/*
 * The bot administration routes' service on the environment's database (the real repository and audit; the
 * device CA, the removal machinery and the webhooks as doubles): the cap on an institution's bots, what a
 * viewer and the audit log see of a webhook URL.
 */

let db: TestDatabase;
let repo: BotsRepository;
let bots: BotsService;
let audit: AuditService;

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  repo = new BotsRepository(db.handle);
  const certificates: BotCertificates = {
    issueBot: () => Promise.reject(new Error('not in this test')),
    revokeBot: () => Promise.resolve(1),
  };
  const removal = {
    removeDevice: (id: string) => Promise.resolve({ deviceId: id, groups: 0 }),
  } as unknown as DeviceRemovalService;
  const webhooks = { remember: () => undefined } as unknown as BotWebhooks;
  const secrets: BotSecrets = { seal: (s) => Promise.resolve(s), open: (s) => Promise.resolve(s) };
  const config = loadBotsConfig({ PAKAWAAZ_CHAT_BOT_MAX_PER_INSTITUTION: '3' });
  bots = new BotsService(
    repo,
    removal,
    (audit = new AuditService(db.handle)),
    webhooks,
    config,
    secrets,
    certificates,
    null,
  );
});

afterAll(async () => {
  await db?.drop();
});

const register = (institutionId: string, webhookUrl = 'https://eoffice.gov.example/hook') =>
  bots.register({ name: 'e-Office', webhookUrl }, operator(institutionId), `req-${randomUUID()}`);

describe("an institution's bots are capped (PAKAWAAZ_CHAT_BOT_MAX_PER_INSTITUTION)", () => {
  it('refuses one more with 409 bot_limit_reached, even registered at once; a disabled one frees its place', async () => {
    const inst = randomUUID();
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => register(inst)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(await codeOf(register(inst))).toMatchObject({
      code: 'bot_limit_reached',
      status: 409,
      details: { max: 3 },
    });
    // Another institution has its own places.
    await expect(register(randomUUID())).resolves.toMatchObject({ state: 'pending' });
    const first = results.find((r) => r.status === 'fulfilled')!.value;
    await bots.disable(first.id, operator(inst), 'req-disable');
    await expect(register(inst)).resolves.toMatchObject({ state: 'pending' });
  });
});

describe("a webhook URL's query string (it may carry the receiver's secret)", () => {
  it('is hidden from a viewer and the audit log; a chat-admin sees it', async () => {
    const inst = randomUUID();
    const url = 'https://eoffice.gov.example/hook?code=s3cret';
    const bot = await register(inst, url);
    expect(bot.webhookUrl).toBe(url);
    const listed = async (roles: Role[]) =>
      (await bots.list(operator(inst, roles))).find((b) => b.id === bot.id)?.webhookUrl;
    expect(await listed(['chat-admin'])).toBe(url);
    expect(await listed(['viewer'])).toBe('https://eoffice.gov.example/hook?[redacted]');
    const [entry] = await audit
      .list({ action: 'secure-chat.bot.registered', limit: 50 })
      .then((all) => all.filter((e) => e.target === `bot:${bot.id}`));
    expect(entry?.details).toMatchObject({ webhookUrl: 'https://eoffice.gov.example/hook?[redacted]' });
    expect(JSON.stringify(entry)).not.toContain('s3cret');
  });
});

describe('rotating a webhook secret', () => {
  it('gives a new secret once, keeps the old one for the overlap, audits without either', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    const r = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-rotate');
    expect(r.webhookSecret).toMatch(/^whsec_/);
    expect(r.webhookSecret).not.toBe(bot.webhookSecret);
    const hours = (Date.parse(r.previousSecretUntil!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const row = (await repo.byId(bot.id))!;
    // The doubles seal a secret as itself: the stored values are the secrets.
    expect(row.webhookSecret).toBe(r.webhookSecret);
    expect(row.previousWebhookSecret).toBe(bot.webhookSecret);
    expect(row.state).toBe('pending');
    const entries = (
      await audit.list({ action: 'secure-chat.bot.webhook-secret-rotated', limit: 50 })
    ).filter((e) => e.target === `bot:${bot.id}`);
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).not.toContain(r.webhookSecret.slice(6));
    expect(JSON.stringify(entries[0])).not.toContain(bot.webhookSecret.slice(6));
  });

  it('with an overlap is refused (409) while an earlier overlap runs: the first secret is not dropped at once', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    const first = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-1');
    const refused = bots.rotateWebhookSecret(bot.id, operator(inst), 'req-2', 2);
    await expect(refused).rejects.toThrow(
      new RegExp(`accepted until ${first.previousSecretUntil!.replace(/\./g, '\\.')}.*overlapHours 0`),
    );
    expect(await codeOf(bots.rotateWebhookSecret(bot.id, operator(inst), 'req-3'))).toEqual({
      code: 'webhook_secret_overlap_running',
      status: 409,
      details: { previousSecretUntil: first.previousSecretUntil },
    });
    // Nothing changed: the original secret still signs beside the first rotation's until the overlap ends.
    const row = (await repo.byId(bot.id))!;
    expect([row.webhookSecret, row.previousWebhookSecret]).toEqual([first.webhookSecret, bot.webhookSecret]);
    expect(row.previousSecretUntil?.toISOString()).toBe(first.previousSecretUntil);
    const audited = await audit.list({ action: 'secure-chat.bot.webhook-secret-rotated', limit: 50 });
    expect(audited.filter((e) => e.target === `bot:${bot.id}`)).toHaveLength(1);
  });

  it('with overlapHours 0 is always allowed and drops every old secret now (a leaked secret)', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-1');
    const now = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-2', 0);
    expect(now.previousSecretUntil).toBeNull();
    const row = (await repo.byId(bot.id))!;
    expect(row).toMatchObject({
      webhookSecret: now.webhookSecret,
      previousWebhookSecret: null,
      previousSecretUntil: null,
    });
    // Nothing runs any more: the next rotation may overlap again.
    const next = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-3', 1);
    expect((await repo.byId(bot.id))?.previousWebhookSecret).toBe(now.webhookSecret);
    const hours = (Date.parse(next.previousSecretUntil!) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(0.9);
    expect(hours).toBeLessThanOrEqual(1);
  });

  it('with an overlap is allowed again once the earlier overlap has ended, and keeps the secret it replaces', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    const first = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-1');
    await repo.update(bot.id, { previousSecretUntil: new Date(Date.now() - 1000) });
    const again = await bots.rotateWebhookSecret(bot.id, operator(inst), 'req-2');
    const row = (await repo.byId(bot.id))!;
    expect([row.webhookSecret, row.previousWebhookSecret]).toEqual([
      again.webhookSecret,
      first.webhookSecret,
    ]);
    expect(Date.parse(again.previousSecretUntil!)).toBeGreaterThan(Date.now() + 23.9 * 3_600_000);
  });

  it('at once, with overlaps: one rotation wins, the others are refused (the check holds the row lock)', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => bots.rotateWebhookSecret(bot.id, operator(inst), `req-${i}`)),
    );
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    expect((await repo.byId(bot.id))?.previousWebhookSecret).toBe(bot.webhookSecret);
  });

  it('is for a chat-admin of the bot’s institution: a viewer is forbidden, another institution gets 404', async () => {
    const inst = randomUUID();
    const bot = await register(inst);
    expect(await codeOf(bots.rotateWebhookSecret(bot.id, operator(inst, ['viewer']), 'r'))).toMatchObject({
      code: 'forbidden',
    });
    expect(await codeOf(bots.rotateWebhookSecret(bot.id, operator(randomUUID()), 'r'))).toMatchObject({
      code: 'bot_not_found',
      status: 404,
    });
    expect((await repo.byId(bot.id))?.webhookSecret).toBe(bot.webhookSecret);
  });
});
