import { createServer } from 'node:http';
import { mtlsFetch } from '@pakawaaz/handset-simulator';
import { signWebhook, verifyWebhook } from '@pakawaaz/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatBot, enrolBot, type BotCredentials } from '../../src/chat/bot.js';
import { ChatClient } from '../../src/chat/chat-client.js';
import { ChatHttpError } from '../../src/chat/chat-http.js';
import type { ChatEvent } from '../../src/chat/chat-types.js';
import { unwrap, type ControlPlaneApi } from '../../src/server-process/control-plane-api.js';
import { freeTcpPort, type ServerProcess } from '../../src/server-process/server-process.js';
import { startChatLab, textsIn, type ChatHandset, type ChatLab } from '../support/chat-server.js';
import { waitFor as waitForEvent } from '../support/wait-for.js';

/*
 * The e-Office bot API end to end: the built server in a child process on PostgreSQL. An institution's chat
 * administrator registers a bot; the bot enrols its own key (device CA certificate), publishes KeyPackages and
 * is added to a group by an official on a lab-attested handset; the bot's notice reaches the handset, the
 * official's reply reaches the bot's webhook — signed, still MLS ciphertext, decrypted by the bot. Forged and
 * replayed webhooks are refused by the bot helper, a flooding bot gets 429, and another institution's
 * administrator never sees or touches the bot.
 */
const NOTICE = 'Document 7/2026 awaits your signature';
const REPLY = 'Signed — forward it to the Secretary';

let lab: ChatLab;
let server: ServerProcess;
let deviceUrl = '';
let interior = '';
let aisha: ChatHandset;
let interiorAdmin: ControlPlaneApi;
let financeAdmin: ControlPlaneApi;
let registered: { id: string; webhookSecret: string; enrolmentSecret: string; user: string };
let credentials: BotCredentials;
let bot: ChatBot;
const botEvents: ChatEvent[] = [];
let webhookPort = 0;
let group = '';

const waitFor = <T>(what: string, probe: () => T | undefined, ms = 30_000) => waitForEvent(what, probe, ms);

const texts = (events: ChatEvent[]) => textsIn(events, group);

beforeAll(async () => {
  webhookPort = await freeTcpPort();
  lab = await startChatLab('chat_bot_e2e', {
    // Lab mode: the bot's webhook is plain http on loopback. A small budget, so the flood test is short.
    PAKAWAAZ_CHAT_BOT_LOOPBACK_HTTP: 'true',
    PAKAWAAZ_CHAT_BOT_SEND_BURST: '4',
    PAKAWAAZ_CHAT_BOT_SENDS_PER_MINUTE: '2',
  });
  ({ server, deviceUrl } = lab);
  interior = await lab.institution('Ministry of Interior');
  const finance = await lab.institution('Ministry of Finance');
  interiorAdmin = await lab.chatAdmin(interior, 'interior-chat-admin');
  financeAdmin = await lab.chatAdmin(finance, 'finance-chat-admin');
  await lab.official('aisha.malik', 'Aisha Malik', interior);
  aisha = await lab.handset('aisha', 'aisha.malik', 3);
}, 240_000);

afterAll(async () => {
  await bot?.close().catch(() => undefined);
  await lab?.stop();
});

describe('an e-Office bot in secure chat', () => {
  it('is registered by its institution’s chat administrator, and invisible to another institution’s', async () => {
    const webhookUrl = `http://127.0.0.1:${webhookPort}/webhook`;
    await expect(
      interiorAdmin.POST('/api/v1/chat/bots', {
        body: { name: 'e-Office', webhookUrl: 'http://eoffice.example/hook' },
      }),
    ).rejects.toThrow(/400 .*invalid_bot_input/);
    registered = await unwrap(
      interiorAdmin.POST('/api/v1/chat/bots', { body: { name: 'e-Office', webhookUrl } }),
    );
    expect(registered).toMatchObject({
      institutionId: interior,
      state: 'pending',
      user: `bot:${registered.id}`,
    });
    expect(registered.webhookSecret).toMatch(/^whsec_/);

    const seen = await unwrap(financeAdmin.GET('/api/v1/chat/bots'));
    expect(seen.bots).toEqual([]);
    await expect(
      financeAdmin.POST('/api/v1/chat/bots/{id}/disable', { params: { path: { id: registered.id } } }),
    ).rejects.toThrow(/404 .*bot_not_found/);
    const mine = await unwrap(interiorAdmin.GET('/api/v1/chat/bots'));
    expect(mine.bots.map((b) => b.id)).toEqual([registered.id]);
  });

  it('enrols its own key once, and its certificate is no handset', async () => {
    credentials = await enrolBot({
      apiUrl: server.url,
      botId: registered.id,
      enrolmentSecret: registered.enrolmentSecret,
    });
    await expect(
      enrolBot({ apiUrl: server.url, botId: registered.id, enrolmentSecret: registered.enrolmentSecret }),
    ).rejects.toThrow(/401 bot_enrolment_invalid/);
    const http = mtlsFetch(credentials);
    try {
      const whoami = await http(new Request(new URL('/api/v1/device/whoami', deviceUrl)));
      expect(whoami.status).toBe(401);
      expect(await whoami.json()).toMatchObject({
        code: 'device_certificate_refused',
        details: { reason: 'not_a_handset' },
      });
    } finally {
      http.close();
    }
    bot = await ChatBot.open({
      deviceUrl,
      credentials,
      webhookSecret: registered.webhookSecret,
      port: webhookPort,
      onEvent: (e) => botEvents.push(e),
    });
    expect(bot.webhookUrl).toBe(`http://127.0.0.1:${webhookPort}/webhook`);
    await bot.chat.uploadKeyPackages(3);
  });

  it('is added by an official, posts a notice the handset reads, and gets the encrypted reply on its webhook', async () => {
    const http = mtlsFetch(aisha.tls);
    try {
      const listed = await http(new Request(new URL('/api/v1/chat/bot-directory', deviceUrl)));
      expect(((await listed.json()) as { bots: { user: string }[] }).bots.map((b) => b.user)).toEqual([
        registered.user,
      ]);
    } finally {
      http.close();
    }
    group = await aisha.chat.createGroup();
    await aisha.chat.addMembers(group, [registered.user]);
    await waitFor('the bot joins (Welcome on its webhook)', () =>
      botEvents.find((e) => e.type === 'joined' && e.groupId === group),
    );
    await bot.chat.send(group, { type: 'text', text: NOTICE });
    await waitFor('the handset reads the notice', () =>
      texts(aisha.events).includes(NOTICE) ? true : undefined,
    );

    await aisha.chat.send(group, { type: 'text', text: REPLY });
    await waitFor('the bot decrypts the reply', () => (texts(botEvents).includes(REPLY) ? true : undefined));
    const reply = botEvents.find((e) => e.type === 'message' && e.text === REPLY);
    // The sender is an official's handset, not a bot; the bot's own notice names the bot to the handset.
    expect(reply && reply.type === 'message' && reply.from.bot).toBeUndefined();
    const notice = aisha.events.find((e) => e.type === 'message' && e.text === NOTICE);
    expect(notice && notice.type === 'message' && notice.from).toMatchObject({
      deviceId: registered.id,
      bot: true,
    });
    expect(bot.refused).toEqual([]);
    // The administrator sees the webhook's health: delivered, nothing failing.
    const [listed] = (await unwrap(interiorAdmin.GET('/api/v1/chat/bots'))).bots;
    expect(listed).toMatchObject({ state: 'active', failures: 0, lastError: null });
    expect(listed!.lastDeliveryAt).not.toBeNull();
  });

  it('retries a refused webhook delivery with the same webhook-id, signed anew', async () => {
    // A second bot whose webhook answers 503 once: the server retries (back-off from 1 s) until a 2xx.
    const calls: { id: string; ok: boolean; status: number }[] = [];
    const port = await freeTcpPort();
    const second = await unwrap(
      interiorAdmin.POST('/api/v1/chat/bots', {
        body: { name: 'e-Office workflow', webhookUrl: `http://127.0.0.1:${port}/hook` },
      }),
    );
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const now = Math.floor(Date.now() / 1000);
        const ok = verifyWebhook(second.webhookSecret, req.headers, Buffer.concat(chunks), now).ok;
        const status = calls.length === 0 ? 503 : 204;
        calls.push({ id: String(req.headers['webhook-id']), ok, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(port, '127.0.0.1', r));
    const creds = await enrolBot({
      apiUrl: server.url,
      botId: second.id,
      enrolmentSecret: second.enrolmentSecret,
    });
    const chat = await ChatClient.open({ baseUrl: deviceUrl, tls: creds });
    try {
      await chat.uploadKeyPackages(1);
      await aisha.chat.addMembers(group, [second.user]);
      await waitFor('the retried delivery', () => (calls.some((c) => c.status === 204) ? true : undefined));
      expect(calls.slice(0, 2).map((c) => [c.ok, c.status])).toEqual([
        [true, 503],
        [true, 204],
      ]);
      expect(calls[1]!.id).toBe(calls[0]!.id);
      // The server records the success once the 2xx is in: the failure count goes back to 0.
      let listed;
      for (let tries = 0; tries < 100 && listed?.failures !== 0; tries++) {
        if (tries) await new Promise((r) => setTimeout(r, 100));
        listed = (await unwrap(interiorAdmin.GET('/api/v1/chat/bots'))).bots.find((b) => b.id === second.id);
      }
      expect(listed).toMatchObject({ failures: 0, lastError: null });
    } finally {
      await chat.close();
      await new Promise((r) => receiver.close(r));
    }
  });

  it('refuses a forged webhook and a replayed (old) one', async () => {
    const body = JSON.stringify({ type: 'chat.deliver', botId: registered.id, envelopes: [] });
    const post = (headers: Record<string, string>) =>
      fetch(bot.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    const forged = await post({
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(now),
      'webhook-signature': signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_forged', now, body),
    });
    expect(forged.status).toBe(401);
    const old = now - 3600;
    const replayed = await post({
      'webhook-id': 'msg_old',
      'webhook-timestamp': String(old),
      'webhook-signature': signWebhook(registered.webhookSecret, 'msg_old', old, body),
    });
    expect(replayed.status).toBe(401);
    expect(bot.refused.map((v) => !v.ok && v.reason)).toEqual(['bad_signature', 'too_old']);
  });

  it('is rate-limited when it floods: 429 bot_rate_limited with Retry-After', async () => {
    let limited: ChatHttpError | undefined;
    for (let i = 0; i < 10 && !limited; i++)
      await bot.chat.send(group, { type: 'text', text: `Reminder ${i}` }).catch((e: unknown) => {
        if (e instanceof ChatHttpError) limited = e;
        else throw e;
      });
    expect(limited?.status).toBe(429);
    expect(limited?.body.code).toBe('bot_rate_limited');
    const http = mtlsFetch(credentials);
    try {
      const raw = await http(
        new Request(new URL(`/api/v1/chat/groups/${group}/messages`, deviceUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      );
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      http.close();
    }
  });

  it('once disabled, leaves its groups and its certificate is refused', async () => {
    const disabled = await unwrap(
      interiorAdmin.POST('/api/v1/chat/bots/{id}/disable', { params: { path: { id: registered.id } } }),
    );
    expect(disabled.state).toBe('disabled');
    // The server proposed the bot's Remove to the official's handset, which commits it.
    await waitFor('the bot leaves the group', () =>
      aisha.events.find(
        (e) =>
          e.type === 'members-changed' &&
          e.groupId === group &&
          e.removed.some((r) => r.deviceId === registered.id),
      ),
    );
    await expect(bot.chat.uploadKeyPackages(1)).rejects.toMatchObject({
      status: 401,
      body: { code: 'device_certificate_refused' },
    });
  });
});
