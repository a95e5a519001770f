import { describe, expect, it } from 'vitest';
import { BotWebhooks } from './bot-webhooks.service.js';
import { loadBotsConfig } from './bots.config.js';
import type { ChatBotRow } from './bots.schema.js';

/** The delivery path with fakes: one queued envelope, the repository's updates recorded. */
function harness(webhookUrl: string, hosts: string) {
  const updates: Record<string, unknown>[] = [];
  const bot = { id: 'b1', institutionId: 'i1', state: 'active', failures: 0, webhookUrl, webhookSecret: 's' };
  const bots = {
    byId: () => Promise.resolve(bot),
    update: (_id: string, patch: Record<string, unknown>) => Promise.resolve(void updates.push(patch)),
  };
  const delivery = { inbox: () => Promise.resolve([{ seq: 1 }]), ack: () => Promise.resolve() };
  const config = {
    ...loadBotsConfig({ PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS: hosts }),
    webhookTimeoutMs: 2000,
  };
  const secrets = { open: () => Promise.resolve('whsec_' + Buffer.alloc(32).toString('base64')) };
  const svc = new BotWebhooks(bots as never, delivery as never, config, secrets as never, {} as never);
  return { svc, updates, bot: bot as unknown as ChatBotRow };
}

describe('bot webhook delivery re-checks the URL', () => {
  it('refuses a URL the current allow-list does not name, recorded as a failed delivery', async () => {
    // Registered while the list was unset; the operator then set a list that omits this host.
    const { svc, updates } = harness('https://10.0.0.5/hook', 'eoffice.gov.example');
    await (svc as unknown as { kick(id: string): Promise<void> }).kick('b1');
    svc.onModuleDestroy();
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ failures: 1 });
    expect(String(updates[0]!.lastError)).toMatch(/^refused: .*WEBHOOK_HOSTS/);
  });
});
