import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook } from '@pakawaaz/platform';
import { describe, expect, it } from 'vitest';
import { BotWebhooks } from './bot-webhooks.service.js';
import { loadBotsConfig } from './bots.config.js';
import type { ChatBotRow } from './bots.schema.js';
import { webhookFailure } from './webhook-post.js';

/** The delivery path with fakes: one queued envelope, the repository's updates recorded. */
function harness(
  webhookUrl: string,
  hosts: string,
  loopbackHttp = false,
  extra: Record<string, unknown> = {},
) {
  const updates: Record<string, unknown>[] = [];
  const bot = {
    id: 'b1',
    institutionId: 'i1',
    state: 'active',
    failures: 0,
    webhookUrl,
    webhookSecret: 'whsec_' + Buffer.alloc(32).toString('base64'),
    ...extra,
  };
  const bots = {
    claimDrain: () => Promise.resolve(bot),
    releaseDrain: () => Promise.resolve(),
    hasQueue: () => Promise.resolve(false),
    delivered: () => {
      updates.push({ failures: 0, lastError: null });
      return Promise.resolve(true);
    },
    backOff: (_id: string, _token: string, failures: number, lastError: string) => {
      updates.push({ failures, lastError });
      return Promise.resolve(new Date());
    },
  };
  const delivery = { inbox: () => Promise.resolve([{ seq: 1 }]), ack: () => Promise.resolve() };
  const config = {
    ...loadBotsConfig({
      PAKAWAAZ_CHAT_BOT_WEBHOOK_HOSTS: hosts,
      PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: String(loopbackHttp),
    }),
    webhookTimeoutMs: 2000,
  };
  // Stored "sealed" as themselves: what is opened is what was stored.
  const secrets = { open: (stored: string) => Promise.resolve(stored) };
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
    expect(updates[0]!.lastError).toBe('address not allowed');
  });
});

describe("a failed delivery's lastError (shown to the institution's chat-admins)", () => {
  it('is a category, never the error text that names addresses and ports', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const { svc, updates } = harness(`http://127.0.0.1:${port}/hook`, '', true);
    await (svc as unknown as { kick(id: string): Promise<void> }).kick('b1');
    svc.onModuleDestroy();
    expect(updates[0]).toMatchObject({ failures: 1, lastError: 'connection refused' });
  });

  it('maps errors to a small set of categories', () => {
    const e = (code: string, name = 'Error') =>
      Object.assign(new Error(`x 10.1.2.3:${code}`), { code, name });
    expect(webhookFailure(e('EWEBHOOKADDR'))).toBe('address not allowed');
    expect(webhookFailure(e('ECONNRESET'))).toBe('connection reset');
    expect(webhookFailure(e('ENOTFOUND'))).toBe('name not resolved');
    expect(webhookFailure(e('EHOSTUNREACH'))).toBe('unreachable');
    expect(webhookFailure(e('DEPTH_ZERO_SELF_SIGNED_CERT'))).toBe('TLS failed');
    expect(webhookFailure(e('ERR_TLS_CERT_ALTNAME_INVALID'))).toBe('TLS failed');
    expect(webhookFailure(e('', 'TimeoutError'))).toBe('timed out');
    expect(webhookFailure(new Error('anything else at 10.1.2.3:8443'))).toBe('failed');
  });
});

describe('bot webhook deliveries per node are bounded', () => {
  it('delivers at most webhookConcurrency queues at once; the others start as those finish', async () => {
    let inFlight = 0;
    let most = 0;
    const delivered: string[] = [];
    const gates: (() => void)[] = [];
    const bots = {
      claimDrain: (id: string) => Promise.resolve({ id, institutionId: 'i1', failures: 0 }),
      releaseDrain: () => Promise.resolve(),
      hasQueue: () => Promise.resolve(false),
    };
    const delivery = {
      // A slow receiver: each bot's drain holds its slot until the test opens its gate.
      inbox: async (p: { deviceId: string }) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((r) => gates.push(r));
        inFlight -= 1;
        delivered.push(p.deviceId);
        return [];
      },
    };
    const config = { ...loadBotsConfig({ PAKAWAAZ_CHAT_BOT_WEBHOOK_CONCURRENCY: '2' }) };
    const svc = new BotWebhooks(bots as never, delivery as never, config, {} as never, {} as never);
    const ids = ['b1', 'b2', 'b3', 'b4', 'b5'];
    for (const id of ids) svc.remember(id, true);
    svc.queued(ids);
    const settle = () => new Promise((r) => setTimeout(r, 20));
    await settle();
    expect(inFlight).toBe(2);
    while (delivered.length < ids.length) {
      gates.shift()?.();
      await settle();
    }
    svc.onModuleDestroy();
    expect(most).toBe(2);
    expect(delivered.sort()).toEqual(ids);
  });
});

describe('a rotated webhook secret', () => {
  const NEW = 'whsec_' + Buffer.alloc(32, 1).toString('base64');
  const OLD = 'whsec_' + Buffer.alloc(32, 2).toString('base64');

  /** The headers of one delivery to a loopback receiver, the bot's secrets as given. */
  async function deliveredHeaders(previousSecretUntil: Date): Promise<IncomingHttpHeaders> {
    let seen: IncomingHttpHeaders = {};
    const server = createServer((req, res) => {
      seen = req.headers;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const { svc } = harness(`http://127.0.0.1:${port}/hook`, '', true, {
      webhookSecret: NEW,
      previousWebhookSecret: OLD,
      previousSecretUntil,
    });
    await (svc as unknown as { kick(id: string): Promise<void> }).kick('b1');
    svc.onModuleDestroy();
    await new Promise<void>((r) => server.close(() => r()));
    return seen;
  }

  it('signs with the new and the old secret during the overlap, the new one first', async () => {
    const h = await deliveredHeaders(new Date(Date.now() + 60_000));
    const [id, ts] = [String(h['webhook-id']), Number(h['webhook-timestamp'])];
    const body = '{"type":"chat.deliver","botId":"b1","envelopes":[{"seq":1}]}';
    expect(h['webhook-signature']).toBe(
      `${signWebhook(NEW, id, ts, body)} ${signWebhook(OLD, id, ts, body)}`,
    );
  });

  it('signs with the new secret only once the overlap is over', async () => {
    const h = await deliveredHeaders(new Date(Date.now() - 1000));
    const body = '{"type":"chat.deliver","botId":"b1","envelopes":[{"seq":1}]}';
    expect(h['webhook-signature']).toBe(
      signWebhook(NEW, String(h['webhook-id']), Number(h['webhook-timestamp']), body),
    );
  });
});
