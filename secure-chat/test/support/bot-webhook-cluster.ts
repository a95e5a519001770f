import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { platformDomain } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import type { BotSecrets } from '../../src/bots/bot-secrets.js';
import { BotWakeTap } from '../../src/bots/bot-wake-tap.js';
import { BotWebhooks } from '../../src/bots/bot-webhooks.service.js';
import type { BotsConfig } from '../../src/bots/bots.config.js';
import { BotsRepository } from '../../src/bots/bots.repository.js';
import { chatBots } from '../../src/bots/bots.schema.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import type { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';

/** Answers one webhook POST, given its raw body. */
export type WebhookAnswer = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

const secrets: BotSecrets = {
  seal: (s) => Promise.resolve(s),
  open: () => Promise.resolve('whsec_' + Buffer.alloc(32, 7).toString('base64')),
};

/**
 * Nodes of a cluster (BotWebhooks with the real repositories on one database: PostgreSQL, PGlite when it is
 * not reachable) and one local webhook receiver.
 */
export class BotWebhookCluster {
  db!: TestDatabase;
  bots!: BotsRepository;
  queues!: DeliveryRepository;
  /** The receiver's URL. */
  url = '';
  private receiver: Server | undefined;
  private readonly nodes: BotWebhooks[] = [];

  constructor(
    private readonly config: BotsConfig,
    private readonly answer: WebhookAnswer,
  ) {}

  async start(): Promise<void> {
    this.db = await createTestDatabase([platformDomain, secureChatDomain]);
    this.bots = new BotsRepository(this.db.handle);
    this.queues = new DeliveryRepository(this.db.handle);
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.answer(req, Buffer.concat(chunks), res));
    });
    this.receiver = receiver;
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  }

  /** A node: the real repositories on the shared database. */
  node(): BotWebhooks {
    const delivery = new DeliveryService(this.queues, null as unknown as SendGroupCommit);
    const n = new BotWebhooks(this.bots, delivery, this.config, secrets, new BotWakeTap());
    this.nodes.push(n);
    return n;
  }

  /** Whether any node is delivering. */
  busy(): boolean {
    return this.nodes.some((n) => (n as unknown as { running: Set<string> }).running.size > 0);
  }

  /** Stops the nodes and disables every bot: the next test's nodes leave the earlier ones alone. */
  async reset(): Promise<void> {
    for (const n of this.nodes.splice(0)) n.onModuleDestroy();
    await this.bots.db.update(chatBots).set({ state: 'disabled', disabledAt: new Date() });
  }

  async close(): Promise<void> {
    const receiver = this.receiver;
    if (receiver) await new Promise((r) => receiver.close(r));
    await this.db?.drop();
  }
}
