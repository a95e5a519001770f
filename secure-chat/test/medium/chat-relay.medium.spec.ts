import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { connectNatsEventBus, eventCatalog, platformDomain, type EventBus } from '@pakawaaz/platform';
import { serviceGate, testLogger, testNatsUrl } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { ChatHub, type ChatSession } from '../../src/ws/chat-hub.js';
import { ChatRelay } from '../../src/ws/chat-relay.js';

const natsUrl = testNatsUrl();
const natsUp = await serviceGate('NATS', natsUrl);
const run = randomBytes(4).toString('hex');
const stream = `PKZ_CHATTEST_${run}`;
const subjectPrefix = `pkzchattest.${run}`;

const session = (deviceId: string) => {
  const s: ChatSession & { woken: number } = {
    deviceId,
    woken: 0,
    wake: () => void s.woken++,
    keyPackagesLow: () => undefined,
    send: () => undefined,
    close: () => undefined,
  };
  return s;
};

/** Two nodes of a cluster on NATS: a message queued on one wakes the device connected to the other. */
describe.skipIf(!natsUp)('chat wakes between cluster nodes (NATS)', () => {
  const buses: EventBus[] = [];
  const relays: ChatRelay[] = [];
  const hubs: ChatHub[] = [];
  const pushes: string[][] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const bus = await connectNatsEventBus({
        url: natsUrl,
        logger: testLogger,
        stream,
        subjectPrefix,
        catalog: eventCatalog([platformDomain, secureChatDomain]),
      });
      const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushes.push([...ids])) });
      const relay = new ChatRelay(hub, bus, testLogger);
      await relay.onModuleInit();
      buses.push(bus);
      hubs.push(hub);
      relays.push(relay);
    }
  }, 30_000);

  afterAll(async () => {
    for (const r of relays) await r.onModuleDestroy();
    for (const b of buses) await b.close();
    const nc = await connect({ servers: natsUrl });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('wakes a socket held by the other node, and only there', async () => {
    const [a, b] = hubs as [ChatHub, ChatHub];
    const onB = session(randomUUID());
    const onA = session(randomUUID());
    b.add(onB);
    a.add(onA);
    a.queued([onB.deviceId, onA.deviceId]);
    // Local at once; remote through NATS.
    expect(onA.woken).toBe(1);
    await vi.waitFor(() => expect(onB.woken).toBe(1), { timeout: 10_000, interval: 25 });
    // Node A does not act on its own event: onA was woken once, directly.
    await new Promise((r) => setTimeout(r, 300));
    expect(onA.woken).toBe(1);
    expect(onB.woken).toBe(1);
  });
});
