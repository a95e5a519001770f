import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import type { BotCertificates } from '@pakawaaz/device-mgmt';
import { AuditService, platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActiveBots } from '../../src/bots/active-bots.guard.js';
import type { BotSecrets } from '../../src/bots/bot-secrets.js';
import type { BotWebhooks } from '../../src/bots/bot-webhooks.service.js';
import type { BotsConfig } from '../../src/bots/bots.config.js';
import { BotsRepository } from '../../src/bots/bots.repository.js';
import { BotsService } from '../../src/bots/bots.service.js';
import type { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { codeOf } from '../support/app-error.js';
import { operator } from '../support/chat-admin.js';

/*
 * Disabling a bot (the real repository and audit on the environment's database; the device CA, the removal
 * machinery and the webhooks as doubles): revoke and removal first, the state last, so a failure leaves the
 * bot retryable; and the chat routes' guard refuses a bot whose row is not active, whatever its certificate.
 */

const INSTITUTION = randomUUID();

let db: TestDatabase;
let repo: BotsRepository;
let bots: BotsService;
const revoked: string[] = [];
const removed: string[] = [];
let revokeFails = false;

beforeAll(async () => {
  db = await createTestDatabase([platformDomain, secureChatDomain]);
  repo = new BotsRepository(db.handle);
  const certificates: BotCertificates = {
    issueBot: () => Promise.reject(new Error('not in this test')),
    revokeBot: (id) => {
      if (revokeFails) return Promise.reject(new Error('database unreachable'));
      revoked.push(id);
      return Promise.resolve(1);
    },
  };
  const removal = {
    removeDevice: (id: string) => {
      removed.push(id);
      return Promise.resolve({ deviceId: id, groups: 0 });
    },
  } as unknown as DeviceRemovalService;
  const webhooks = { remember: () => undefined } as unknown as BotWebhooks;
  const secrets: BotSecrets = { seal: (s) => Promise.resolve(s), open: (s) => Promise.resolve(s) };
  bots = new BotsService(
    repo,
    removal,
    new AuditService(db.handle),
    webhooks,
    { loopbackHttp: false, webhookHosts: [] } as unknown as BotsConfig,
    secrets,
    certificates,
    null,
  );
});

afterAll(async () => {
  await db?.drop();
});

const activeBot = async () => {
  const row = await repo.insert({
    institutionId: INSTITUTION,
    name: `bot-${randomUUID().slice(0, 8)}`,
    webhookUrl: 'https://eoffice.gov.example/hook',
    webhookSecret: 'sealed',
    createdBy: 'operator:test',
  });
  await repo.update(row.id, { state: 'active', enrolledAt: new Date() });
  return row.id;
};

const asBot = (id: string) =>
  ({
    switchToHttp: () => ({
      getRequest: () => ({
        device: {
          deviceId: id,
          userId: id,
          institutionId: INSTITUTION,
          certThumbprint: 't',
          compliance: 'compliant',
          kind: 'bot',
        },
      }),
    }),
  }) as unknown as ExecutionContext;

describe('disabling a bot', () => {
  it('a failing revocation leaves the bot active and retryable; the retry revokes, removes and disables', async () => {
    const id = await activeBot();
    revokeFails = true;
    await expect(bots.disable(id, operator(INSTITUTION), 'req-1')).rejects.toThrow(/unreachable/);
    expect((await repo.byId(id))?.state).toBe('active');
    revokeFails = false;
    const view = await bots.disable(id, operator(INSTITUTION), 'req-2');
    expect(view.state).toBe('disabled');
    expect(revoked).toContain(id);
    expect(removed).toContain(id);
  });

  it('the chat routes refuse a bot that is not active (its certificate alone lets it in no more)', async () => {
    const id = await activeBot();
    const guard = new ActiveBots(repo);
    await expect(guard.canActivate(asBot(id))).resolves.toBe(true);
    await repo.update(id, { state: 'disabled', disabledAt: new Date() });
    expect(await codeOf(guard.canActivate(asBot(id)))).toMatchObject({
      code: 'device_certificate_refused',
      status: 401,
    });
    // A bot disabled before revocation came first has its steps run again.
    revoked.length = 0;
    await bots.disable(id, operator(INSTITUTION), 'req-3');
    expect(revoked).toEqual([id]);
  });

  it('an unknown bot id is 404 bot_not_found for a national administrator too (not a 500)', async () => {
    for (const by of [operator(null), operator(INSTITUTION)])
      expect(await codeOf(bots.disable(randomUUID(), by, 'req-4'))).toMatchObject({
        code: 'bot_not_found',
        status: 404,
      });
  });
});
