import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import type { ClientTls } from '@pakawaaz/handset-simulator';
import { verifyWebhook, type WebhookVerdict } from '@pakawaaz/platform';
import { ChatClient } from './chat-client.js';
import type { ChatEvent } from './chat-types.js';
import { parseQueueItem, type QueueItem } from './chat-wire.js';

/*
 * An e-Office bot on the secure-chat bot API (docs/secure-chat.md "Bot API"): it enrols a P-256 key of its own
 * with the one-time secret its administrator got, then is an MLS member like a handset — ChatCore decrypts and
 * encrypts on the bot's side, the server only relays ciphertext. Its queue arrives on a webhook the server
 * signs (Standard Webhooks); a delivery whose signature or timestamp does not verify is refused (401).
 */

/** What a webhook call carries at most (a batch of 100 envelopes of up to 256 KiB is far less in practice). */
const MAX_WEBHOOK_BYTES = 8 * 1024 * 1024;
const SIGN = { name: 'ECDSA', hash: 'SHA-256', namedCurve: 'P-256' } as const;

export type BotCredentials = ClientTls & { botId: string };

const pem = (label: string, der: ArrayBuffer) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der)
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n')}\n-----END ${label}-----\n`;

/** Generates the bot's key and enrols it (`POST /api/v1/chat/bot-enrolment` on the main API port). */
export async function enrolBot(o: {
  apiUrl: string;
  botId: string;
  enrolmentSecret: string;
}): Promise<BotCredentials> {
  const keys = await webcrypto.subtle.generateKey(SIGN, true, ['sign', 'verify']);
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: `CN=${o.botId}`,
    keys,
    signingAlgorithm: SIGN,
  });
  const res = await fetch(new URL('/api/v1/chat/bot-enrolment', o.apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      botId: o.botId,
      enrolmentSecret: o.enrolmentSecret,
      csr: Buffer.from(csr.rawData).toString('base64url'),
    }),
  });
  const body = (await res.json()) as { certificate: string; caCertificates: string[]; code?: string };
  if (res.status !== 201) throw new Error(`bot enrolment refused: ${res.status} ${body.code ?? ''}`);
  return {
    botId: o.botId,
    certPem: body.certificate,
    keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)),
    caPems: body.caCertificates,
  };
}

export type ChatBotOptions = {
  /** https://host:devicePort of the server's device edge (the bot's certificate is its mTLS client certificate). */
  deviceUrl: string;
  credentials: BotCredentials;
  /** The `whsec_…` secret the registration returned. */
  webhookSecret: string;
  onEvent?: (e: ChatEvent) => void;
  /** Where the webhook receiver listens (default 127.0.0.1, a free port). */
  host?: string;
  port?: number;
  /** Seconds since the epoch (tests); the replay window is the spec's 5 minutes. */
  now?: () => number;
};

/** A bot: the chat client (HTTP only, no socket) and the webhook receiver its queue arrives on. */
export class ChatBot {
  private constructor(
    readonly chat: ChatClient,
    private readonly server: Server,
    private readonly o: ChatBotOptions,
  ) {}

  /** Refused deliveries, newest last (what the receiver answered 401 to, and why). */
  readonly refused: WebhookVerdict[] = [];

  static async open(o: ChatBotOptions): Promise<ChatBot> {
    const chat = await ChatClient.open({
      baseUrl: o.deviceUrl,
      tls: o.credentials,
      onEvent: (e) => o.onEvent?.(e),
    });
    const holder: { bot?: ChatBot } = {};
    const server = createServer((req, res) => void holder.bot!.receive(req, res));
    const bot = (holder.bot = new ChatBot(chat, server, o));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port ?? 0, o.host ?? '127.0.0.1', resolve);
    });
    return bot;
  }

  /** The URL to register as the bot's webhook. */
  get webhookUrl(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${this.o.host ?? '127.0.0.1'}:${a.port}/webhook`;
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
      res.end(body ? JSON.stringify(body) : undefined);
    };
    if (req.method !== 'POST') return reply(405);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > MAX_WEBHOOK_BYTES) return reply(413);
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const now = this.o.now?.() ?? Math.floor(Date.now() / 1000);
    const verdict = verifyWebhook(this.o.webhookSecret, req.headers, body, now);
    if (!verdict.ok) {
      this.refused.push(verdict);
      return reply(401, { error: verdict.reason });
    }
    let items: QueueItem[];
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { type?: unknown; envelopes?: unknown };
      if (parsed.type !== 'chat.deliver' || !Array.isArray(parsed.envelopes)) return reply(400);
      items = parsed.envelopes.map(parseQueueItem).filter((i): i is QueueItem => i !== null);
    } catch {
      return reply(400);
    }
    try {
      await this.chat.deliver(items); // applied, saved and acknowledged before the 2xx
      reply(204);
    } catch {
      reply(500); // the server retries with back-off
    }
  }

  async close(): Promise<void> {
    await new Promise((r) => this.server.close(r));
    await this.chat.close();
  }
}
