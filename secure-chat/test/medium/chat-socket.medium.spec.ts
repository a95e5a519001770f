import { randomBytes, randomUUID } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { externalSenderExtension } from '@pakawaaz/mls';
import { ClientCertificates, platformDomain, type Logger } from '@pakawaaz/platform';
import { createTestDatabase, type TestDatabase } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ChatDirectory } from '../../src/chat-ports.js';
import { DeliveryRepository } from '../../src/delivery/delivery.repository.js';
import { DeliveryService } from '../../src/delivery/delivery.service.js';
import { SendBatchRepository } from '../../src/delivery/send-batch.repository.js';
import { SendGroupCommit } from '../../src/delivery/send-group-commit.js';
import { GroupsService } from '../../src/groups/groups.service.js';
import { KeyPackagesRepository } from '../../src/key-packages/key-packages.repository.js';
import { KeyPackagesService } from '../../src/key-packages/key-packages.service.js';
import { DeviceRemovalService } from '../../src/membership/device-removal.service.js';
import { RemovalsRepository } from '../../src/membership/removals.repository.js';
import { loadBotsConfig } from '../../src/bots/bots.config.js';
import type { SecureChatConfig } from '../../src/secure-chat.config.js';
import { secureChatDomain } from '../../src/secure-chat.domain.js';
import { ChatFlood } from '../../src/ws/chat-flood.js';
import { ChatHub } from '../../src/ws/chat-hub.js';
import { ChatSocketServer } from '../../src/ws/chat-socket.server.js';
import { serveChatSocket } from '../support/chat-socket-harness.js';
import { b64, testCa, TestDevice, TestDeviceAuthenticator, TestMember } from '../support/mls-devices.js';

/*
 * The chat WebSocket over real mutual TLS (a test device CA, real handset keys that are also their MLS keys),
 * on PostgreSQL, with real MLS bytes from ts-mls clients.
 */
const MINISTRY = randomUUID();
const config: SecureChatConfig = {
  externalSenderKeyFile: '/nonexistent',
  lowKeyPackages: 10,
  wsMaxFrameBytes: 64 * 1024,
  wsFramesPerSecond: 5,
  wsBytesPerSecond: 64 * 1024,
  wsPingSeconds: 30,
  claimsPerSecond: 5,
  retentionDays: 30,
  clientIdDays: 7,
  sendBatch: 64,
  commitLingerMs: 2,
  ackGatherMs: 20, // the server's default: acks over the socket gather
  bots: loadBotsConfig({}),
  files: {
    dir: '/nonexistent',
    maxFileBytes: 1 << 20,
    chunkMaxBytes: 1 << 16,
    defaultQuotaBytes: 1 << 24,
    uploaderSharePercent: 25,
    maxUploadsInProgress: 32,
    createsPerMinute: 30,
    uploadIdleMs: 30_000,
    abandonMs: 3_600_000,
  },
};

type Frame = { type: string; [k: string]: unknown };

/** A connected test socket: its frames in order, and a way to wait for the next one of a type. */
class Client {
  readonly frames: Frame[] = [];
  private waiters: { type: string; resolve: (f: Frame) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const i = this.waiters.findIndex((w) => w.type === frame.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  next(type: string, timeoutMs = 5000): Promise<Frame> {
    const seen = this.frames.findIndex((f) => f.type === type);
    if (seen >= 0) return Promise.resolve(this.frames.splice(seen, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        type,
        resolve: (f) => {
          clearTimeout(timer);
          this.frames.splice(this.frames.indexOf(f), 1);
          resolve(f);
        },
      });
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }
}

describe('chat WebSocket (mutual TLS, PostgreSQL, real MLS)', () => {
  let db: TestDatabase;
  let stopServer: (() => Promise<unknown>) | undefined;
  let url: string;
  let caPem: string;
  let keyPackages: KeyPackagesService;
  let groups: GroupsService;
  let delivery: DeliveryService;
  let sockets: ChatSocketServer;
  const pushed: string[][] = [];
  const auth = new TestDeviceAuthenticator();
  const serverSecret = p256.utils.randomSecretKey();
  const serverKey = p256.getPublicKey(serverSecret, false);
  let removal: DeviceRemovalService;
  let alice: TestDevice;
  let bob: TestDevice;
  const open: WebSocket[] = [];

  function connect(device?: TestDevice): Promise<Client | { status: number }> {
    const ws = new WebSocket(url, {
      ca: caPem,
      // The test server certificate names no host; its chain is what is checked.
      // (node:tls wants undefined for "fine"; ws's types say boolean.)
      checkServerIdentity: (() => undefined) as unknown as () => boolean,
      ...(device ? device.tls : {}),
    });
    open.push(ws);
    return new Promise((resolve, reject) => {
      const client = new Client(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once('error', reject);
    });
  }
  const connected = async (device: TestDevice) => {
    const c = await connect(device);
    if (!(c instanceof Client)) throw new Error(`refused: ${c.status}`);
    return c;
  };

  beforeAll(async () => {
    db = await createTestDatabase([platformDomain, secureChatDomain]);
    const ca = await testCa();
    caPem = ca.cert.toString('pem');
    const users = { alice: randomUUID(), bob: randomUUID() };
    alice = await TestDevice.create(ca, {
      deviceId: randomUUID(),
      userId: users.alice,
      institutionId: MINISTRY,
    });
    bob = await TestDevice.create(ca, { deviceId: randomUUID(), userId: users.bob, institutionId: MINISTRY });
    auth.add(alice, bob);
    const directory: ChatDirectory = {
      find: (ref) =>
        Promise.resolve(ref === 'bob' ? { userId: users.bob, institutionId: MINISTRY, active: true } : null),
      maySee: () => Promise.resolve(true),
    };
    const hub = new ChatHub({ notify: (ids) => Promise.resolve(void pushed.push([...ids])) });
    const kpRepo = new KeyPackagesRepository(db.handle);
    const repo = new DeliveryRepository(db.handle);
    keyPackages = new KeyPackagesService(kpRepo, auth, directory, hub, config);
    groups = new GroupsService(repo, directory, { signatureKey: serverKey }, hub, auth);
    delivery = new DeliveryService(
      repo,
      new SendGroupCommit(repo, new SendBatchRepository(), hub, db.handle),
    );
    removal = new DeviceRemovalService(
      new RemovalsRepository(db.handle),
      repo,
      kpRepo,
      {
        signatureKey: serverKey,
        signEs256: (data) =>
          Promise.resolve(p256.sign(data, serverSecret, { prehash: true, format: 'compact' })),
      },
      hub,
      { info: () => undefined } as unknown as Logger,
    );
    sockets = new ChatSocketServer(
      hub,
      delivery,
      groups,
      new ChatFlood(config),
      config,
      auth,
      new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' }),
    );
    ({ url, close: stopServer } = await serveChatSocket(ca, sockets));
  }, 60_000);

  afterAll(async () => {
    for (const ws of open) ws.terminate();
    sockets?.onModuleDestroy();
    await stopServer?.();
    await db?.drop();
  });

  it('refuses a connection without a device certificate, or with a refused one', async () => {
    expect(await connect()).toEqual({ status: 401 });
    auth.revoked.add(bob.deviceId);
    expect(await connect(bob)).toEqual({ status: 403 });
    auth.revoked.delete(bob.deviceId);
  });

  it('keeps two sockets a device: a third closes the oldest (4409), and the two others are served', async () => {
    const [first, second] = [await connected(alice), await connected(alice)];
    const third = await connected(alice);
    expect(await first.closed).toEqual({ code: 4409, reason: 'replaced by a newer socket of this device' });
    for (const c of [second, third]) {
      c.send({ type: 'ack', upTo: 0, reply: true });
      expect(await c.next('acked')).toMatchObject({ type: 'acked' });
      c.ws.close();
      await c.closed;
    }
  });

  it('delivers a Welcome and messages over the socket, at least once until acked, with replies to send and commit', async () => {
    const a = await TestMember.createGroup(alice, randomBytes(16), [externalSenderExtension(serverKey)]);
    const { groupId } = await groups.register(alice.principal, await a.groupInfo());
    const bobKp = await bob.keyPackage();
    await keyPackages.upload(bob.principal, [bobKp.bytes]);
    const aliceWs = await connected(alice);
    const bobWs = await connected(bob);

    const add = await a.commitAdding([bobKp.publicPackage]);
    aliceWs.send({
      type: 'commit',
      id: 1,
      groupId,
      commit: b64(add.commit),
      groupInfo: b64(add.groupInfo),
      welcome: b64(add.welcome!),
      clientId: 'ws-commit-0001',
    });
    expect(await aliceWs.next('result')).toEqual({ type: 'result', id: 1, result: { groupId, epoch: '1' } });
    add.apply();
    const welcome = (await bobWs.next('deliver')).envelopes as { seq: number; kind: string; body: string }[];
    expect(welcome.map((e) => e.kind)).toEqual(['welcome']);
    const b = await TestMember.join(bob, Buffer.from(welcome[0]!.body, 'base64url'), bobKp);

    aliceWs.send({
      type: 'send',
      id: 'm1',
      groupId,
      message: b64(await a.message('over the socket')),
      clientId: 'ws-msg-0001',
    });
    expect(await aliceWs.next('result')).toMatchObject({ id: 'm1', result: { recipients: 1 } });
    const delivered = (await bobWs.next('deliver')).envelopes as {
      seq: number;
      kind: string;
      body: string;
    }[];
    expect(await b.read(Buffer.from(delivered[0]!.body, 'base64url'))).toBe('over the socket');

    // Not acknowledged: a new socket gets everything again, in order.
    bobWs.ws.close();
    await bobWs.closed;
    const again = await connected(bob);
    const redelivered = (await again.next('deliver')).envelopes as { seq: number }[];
    expect(redelivered.map((e) => e.seq)).toEqual([welcome[0]!.seq, delivered[0]!.seq]);
    // An ack is answered only when it asks (reply: true), and one that does not ask is applied all the same.
    again.send({ type: 'ack', upTo: welcome[0]!.seq });
    again.send({ type: 'ack', upTo: delivered[0]!.seq, reply: true });
    expect(await again.next('acked')).toEqual({ type: 'acked', upTo: delivered[0]!.seq, removed: 1 });
    expect(again.frames.filter((f) => f.type === 'acked')).toHaveLength(0); // none for the first
    again.ws.close();
    await again.closed;
    const afterAck = await connected(bob);
    await new Promise((r) => setTimeout(r, 300));
    expect(afterAck.frames.filter((f) => f.type === 'deliver')).toEqual([]);

    // A stale commit is an error frame naming the current epoch, not a dropped socket.
    aliceWs.send({
      type: 'commit',
      id: 2,
      groupId,
      commit: b64(add.commit),
      groupInfo: b64(add.groupInfo),
      clientId: 'ws-commit-0002',
    });
    expect(await aliceWs.next('error')).toMatchObject({
      id: 2,
      code: 'mls_stale_epoch',
      details: { epoch: '1' },
    });

    // Bob offline: Alice's message is queued and Bob's handset is pushed "check in".
    afterAck.ws.close();
    await afterAck.closed;
    pushed.length = 0;
    aliceWs.send({
      type: 'send',
      id: 'm2',
      groupId,
      message: b64(await a.message('while away')),
      clientId: 'ws-msg-0002',
    });
    await aliceWs.next('result');
    expect(pushed).toEqual([[bob.deviceId]]);
    aliceWs.ws.close();
  });

  it('tells a connected device its KeyPackages run low', async () => {
    const bobWs = await connected(bob);
    const { oneTimeLeft } = await keyPackages.upload(bob.principal, [(await bob.keyPackage()).bytes]);
    await keyPackages.claim(alice.principal, 'bob');
    expect(await bobWs.next('key_packages_low')).toEqual({ type: 'key_packages_low', left: oneTimeLeft - 1 });
    bobWs.ws.close();
  });

  it('answers bad frames with an error, drops a flood with one error and then closes it, and closes on oversized frames', async () => {
    const c = await connected(alice);
    c.send({ type: 'nonsense' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_chat_input' });
    c.ws.send('not json');
    expect(await c.next('error')).toMatchObject({ code: 'invalid_chat_input' });
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < 60; i++) c.send({ type: 'ack', upTo: 0, reply: true });
    expect(await c.closed).toMatchObject({ code: 1008 });
    expect(c.frames.filter((f) => f.code === 'chat_rate_limited')).toHaveLength(1);
    expect(c.frames.filter((f) => f.type === 'acked').length).toBeLessThanOrEqual(10);

    const big = await connected(bob);
    big.ws.send('x'.repeat(config.wsMaxFrameBytes + 1));
    expect((await big.closed).code).toBe(1009);
    // The server goes on serving.
    const fine = await connected(bob);
    fine.send({ type: 'ack', upTo: 0, reply: true });
    expect(await fine.next('acked')).toMatchObject({ type: 'acked' });
    fine.ws.close();
  });

  it('drops a frame over the bytes a second (a burst of twice that) with one error, as the frame limit does', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // the byte bucket full again after the test before
    const c = await connected(bob);
    const frame = 'x'.repeat(50_000); // three are over 128 KiB, and each is answered (not JSON)
    for (let i = 0; i < 3; i++) c.ws.send(frame);
    const codes = [await c.next('error'), await c.next('error'), await c.next('error')].map((f) => f.code);
    expect(codes).toEqual(['invalid_chat_input', 'invalid_chat_input', 'chat_rate_limited']);
    c.ws.close();
    await c.closed;
  });

  it('closes the sockets of a device removed from chat', async () => {
    const c = await connected(bob);
    await removal.removeDevice(bob.deviceId, null, 'retired');
    expect(await c.closed).toMatchObject({ code: 4403 });
  });
});
