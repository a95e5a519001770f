import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHAT_CIPHERSUITE, externalRemove } from '@pakawaaz/mls';
import { ChatClient, type ChatClientOptions } from './chat-client.js';
import { MemoryDeliveryService, testDeviceCa, testExternalSender } from './chat-fixtures.js';
import type { ChatEvent } from './chat-types.js';
import { identityOf } from './chat-auth.js';
import { ratchetTreeFromExtension } from 'ts-mls/groupInfo.js';
import { b64u, framingOf, leavesOf, MLS_LIMITS, mlsFromWire } from './mls-glue.js';

/**
 * A stand-in for secure-chat's HTTP and WebSocket edge (mutual TLS, the device named by its certificate; routes
 * and bodies of its chat.dto.ts), over MemoryDeliveryService: enough to drive ChatClient through chat-wire.ts.
 */
type Wire = { seq: number; groupId: string; senderDevice: null; kind: string; body: string; at: string };
function edge(tls: { certPem: string; keyPem: string; caPem: string }, es: { signatureKey: Uint8Array }) {
  const ds = new MemoryDeliveryService();
  const kps = new Map<string, Map<string, string[]>>(); // user → device → KeyPackages
  const queues = new Map<string, Wire[]>();
  const sockets = new Map<string, WebSocket>();
  const stats = { refused: 0 };
  /** Every ack frame, with the device's persisted seq when it arrived (set by the test: see onAck). */
  const acks: { device: string; upTo: number; savedSeq?: number }[] = [];
  const hooks: { savedSeq?: (device: string) => number | undefined } = {};
  let seq = 0;
  const whoami = (s: TLSSocket) => {
    const c = s.getPeerCertificate();
    const uris = (c.subjectaltname ?? '').split(', ');
    const user = uris.find((u) => u.startsWith('URI:urn:pakawaaz:user:'))?.slice(22) ?? '';
    return { deviceId: String(c.subject.CN), user };
  };
  const flush = () => {
    for (const [device, q] of ds.queues)
      for (const env of q.splice(0)) {
        const item: Wire = {
          seq: ++seq,
          groupId: env.groupId!,
          senderDevice: null,
          kind: env.kind,
          body: env.message,
          at: new Date().toISOString(),
        };
        queues.set(device, [...(queues.get(device) ?? []), item]);
        sockets.get(device)?.send(JSON.stringify({ type: 'deliver', envelopes: [item] }));
      }
  };
  const framing = (message: string) => framingOf(mlsFromWire(message, MLS_LIMITS.groupInfoOrWelcome))!;
  const server: Server = createServer(
    { cert: tls.certPem, key: tls.keyPem, ca: [tls.caPem], requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const me = whoami(req.socket as TLSSocket);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const reply = (status: number, v?: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v ?? {}));
        };
        const b = (body ? JSON.parse(body) : {}) as Record<string, string>;
        const url = new URL(req.url!, 'https://x');
        const path = url.pathname.replace('/api/v1/chat', '');
        let m: RegExpExecArray | null;
        if (path === '/external-sender')
          return reply(200, { signatureKey: b64u(es.signatureKey), cipherSuite: CHAT_CIPHERSUITE });
        if (path === '/key-packages') {
          const mine = kps.get(me.user) ?? new Map<string, string[]>();
          const list = [
            ...(mine.get(me.deviceId) ?? []),
            ...(JSON.parse(body) as { keyPackages: string[] }).keyPackages,
          ];
          mine.set(me.deviceId, list);
          kps.set(me.user, mine);
          return reply(200, { stored: list.length, oneTimeLeft: list.length });
        }
        if (path === '/key-packages/claim') {
          const out = [...(kps.get(b.user!) ?? new Map<string, string[]>())].map(([deviceId, list]) => ({
            deviceId,
            keyPackage: list.shift()!,
            lastResort: false,
          }));
          return reply(200, { userId: b.user, keyPackages: out.filter((k) => k.keyPackage) });
        }
        if (path === '/groups') {
          const gi = mlsFromWire(b.groupInfo!, MLS_LIMITS.groupInfoOrWelcome);
          if (gi.wireformat !== 'mls_group_info') return reply(400, { code: 'mls_malformed' });
          const groupId = b64u(gi.groupInfo.groupContext.groupId);
          ds.register(groupId, b.groupInfo!);
          return reply(201, { groupId, epoch: '0' });
        }
        if ((m = /^\/groups\/([^/]+)\/commits$/.exec(path))) {
          const groupId = decodeURIComponent(m[1]!);
          const { epoch } = framing(b.commit!);
          const r = ds.commit(me.deviceId, {
            groupId,
            epoch,
            commit: b.commit!,
            groupInfo: b.groupInfo!,
            ...(b.welcome ? { welcome: b.welcome } : {}),
          });
          flush();
          if (r.status !== 200) stats.refused++;
          return r.status === 200
            ? reply(200, { groupId, epoch: String(epoch + 1n) })
            : reply(409, { code: r.code, message: 'stale epoch' });
        }
        if ((m = /^\/groups\/([^/]+)\/messages$/.exec(path))) {
          const kind = framing(b.message!).contentType === 'proposal' ? 'proposal' : 'application';
          ds.send(me.deviceId, decodeURIComponent(m[1]!), kind, b.message!);
          flush();
          return reply(200, { recipients: 1 });
        }
        if (path === '/inbox') {
          const after = Number(url.searchParams.get('after'));
          return reply(200, { envelopes: (queues.get(me.deviceId) ?? []).filter((i) => i.seq > after) });
        }
        if (path === '/inbox/ack') {
          const upTo = (JSON.parse(body) as { upTo: number }).upTo;
          queues.set(
            me.deviceId,
            (queues.get(me.deviceId) ?? []).filter((i) => i.seq > upTo),
          );
          return reply(200, { removed: 0 });
        }
        reply(404, { code: 'not_found' });
      });
    },
  );
  const wss = new WebSocketServer({ server, path: '/api/v1/chat/ws' });
  wss.on('connection', (ws, req) => {
    const me = whoami(req.socket as TLSSocket);
    sockets.set(me.deviceId, ws);
    ws.on('message', (d: Buffer) => {
      const f = JSON.parse(d.toString()) as { type: string; upTo: number };
      if (f.type === 'ack')
        acks.push({ device: me.deviceId, upTo: f.upTo, savedSeq: hooks.savedSeq?.(me.deviceId) });
      if (f.type === 'ack')
        queues.set(
          me.deviceId,
          (queues.get(me.deviceId) ?? []).filter((i) => i.seq > f.upTo),
        );
    });
  });
  return { server, ds, queues, wss, stats, flush, acks, hooks };
}

const until = async (what: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ChatClient: the driver over HTTPS and WebSocket with the device certificate', () => {
  let e: ReturnType<typeof edge>;
  let base: string;
  const events: Record<string, ChatEvent[]> = {};
  const saved: Record<string, NonNullable<ChatClientOptions['saved']>> = {};
  let pki: Awaited<ReturnType<typeof testDeviceCa>>;
  const clients: ChatClient[] = [];
  const es = testExternalSender();

  const open = async (
    deviceId: string,
    user: string,
    creds?: { certPem: string; keyPem: string },
    autoCommit = true,
    onEvent: (ev: ChatEvent) => void = (ev) => void (events[deviceId] ??= []).push(ev),
  ) => {
    const d = creds ?? (await pki.device(deviceId, user));
    const c = await ChatClient.open({
      autoCommit,
      baseUrl: base,
      tls: { certPem: d.certPem, keyPem: d.keyPem, caPems: [pki.caPem] },
      ...(saved[deviceId] ? { saved: saved[deviceId] } : {}),
      persist: (s) => void (saved[deviceId] = JSON.parse(JSON.stringify(s)) as typeof s),
      onEvent,
    });
    clients.push(c);
    return { c, d };
  };

  beforeAll(async () => {
    pki = await testDeviceCa();
    e = edge({ ...(await pki.server()), caPem: pki.caPem }, es);
    await new Promise<void>((r) => e.server.listen(0, '127.0.0.1', r));
    base = `https://localhost:${(e.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    e.wss.close();
    await new Promise((r) => e.server.close(r));
  });

  it('group over the wire: Welcome and text by WebSocket, a 409 stale epoch rebased, restart from persisted state', async () => {
    const alice = await open('alice-phone', 'alice');
    const phone = await open('bob-phone', 'bob');
    const tablet = await open('bob-tablet', 'bob');
    for (const x of [alice, phone, tablet]) await x.c.uploadKeyPackages(2, true);
    await phone.c.start();
    await tablet.c.start();

    const g = await alice.c.createGroup();
    await alice.c.addMembers(g, ['bob']);
    await until(() => ['bob-phone', 'bob-tablet'].every((d) => events[d]?.some((x) => x.type === 'joined')));

    // bob-phone moves the group on while alice is offline; alice's removal is refused (409), then rebased.
    await phone.c.rotateKeys(g);
    await alice.c.removeDevices(g, ['bob-tablet']);
    await until(() => events['bob-tablet']?.some((x) => x.type === 'removed') ?? false);
    await until(() => phone.c.core.epoch(g) === 3n);
    expect(e.stats.refused).toBe(1);
    expect(
      phone.c.core
        .members(g)
        .map((m) => m.deviceId)
        .sort(),
    ).toEqual(['alice-phone', 'bob-phone']);
    expect(alice.c.core.epoch(g)).toBe(3n);

    const id = await alice.c.send(g, { type: 'text', text: 'over the wire' });
    await until(() => events['bob-phone']?.some((x) => x.type === 'message' && x.id === id) ?? false);
    await until(() => (e.queues.get('bob-phone') ?? []).length === 0); // acknowledged over the WebSocket

    // alice restarts from what she persisted and catches up from the queue.
    await alice.c.close();
    await phone.c.send(g, { type: 'receipt', status: 'read', ids: [id] });
    const again = await open('alice-phone', 'alice', alice.d);
    await again.c.sync();
    expect(again.c.core.history.get(g, id)?.read).toEqual(['bob-phone']);
  });

  it('commits the server’s Remove in every group, also one that arrived while it rebased a lost race', async () => {
    const dana = await open('dana-phone', 'dana');
    const erin = await open('erin-phone', 'erin', undefined, false); // never commits for the server
    const fay = await open('fay-phone', 'fay');
    const gone = await open('gone-phone', 'gus');
    for (const x of [dana, erin, fay, gone]) await x.c.uploadKeyPackages(2, true);
    for (const x of [erin, fay, gone]) await x.c.start(); // dana stays offline: she catches up with sync()

    const big = await fay.c.createGroup();
    await fay.c.addMembers(big, ['dana', 'erin', 'gus']);
    await dana.c.sync();
    const small = await dana.c.createGroup();
    await dana.c.addMembers(small, ['erin', 'gus']);
    await until(() => events['gone-phone']?.filter((x) => x.type === 'joined').length === 2);

    // The server proposes gone-phone's Remove in both groups (as DeviceRemovalService does, big first).
    e.ds.cut.add('gone-phone');
    for (const g of [big, small]) {
      const gi = mlsFromWire(e.ds.groups.get(g)!.groupInfo, MLS_LIMITS.groupInfoOrWelcome);
      if (gi.wireformat !== 'mls_group_info') throw new Error('GroupInfo expected');
      const leaf = leavesOf({ ratchetTree: ratchetTreeFromExtension(gi.groupInfo)! }).find(
        (l) => identityOf(l.credential)?.deviceId === 'gone-phone',
      )!;
      e.ds.send('server', g, 'proposal', b64u(await externalRemove(gi.groupInfo, leaf.leafIndex, es.key)));
    }
    const [bigEpoch, smallEpoch] = [e.ds.groups.get(big)!.epoch, e.ds.groups.get(small)!.epoch];
    e.flush();
    // fay (online, not in the small group) commits the big group's Remove…
    await until(() => e.ds.groups.get(big)!.epoch === bigEpoch + 1n);
    // …while dana, offline, rotates her keys in the big group: 409, she fetches her queue (both proposals and
    // fay's commit) and rebases. Only she can commit the small group's Remove (erin never does): she must.
    await dana.c.rotateKeys(big);
    expect(e.ds.groups.get(big)!.epoch).toBe(bigEpoch + 2n);
    await until(() => e.ds.groups.get(small)!.epoch === smallEpoch + 1n);
    expect(e.ds.groups.get(small)!.members.has('gone-phone')).toBe(false);
    expect(e.ds.groups.get(big)!.members.has('gone-phone')).toBe(false);
    for (const g of [big, small])
      expect(
        events['dana-phone']!.some(
          (x) =>
            x.type === 'members-changed' &&
            x.groupId === g &&
            x.removed.some((m) => m.deviceId === 'gone-phone'),
        ),
      ).toBe(true);
  }, 30_000);

  it('acknowledges deliver frames applied together with one cumulative ack, never beyond what it saved', async () => {
    const hal = await open('hal-phone', 'hal');
    const ida = await open('ida-phone', 'ida');
    for (const x of [hal, ida]) await x.c.uploadKeyPackages(2, true);
    await ida.c.start();
    const g = await hal.c.createGroup();
    await hal.c.addMembers(g, ['ida']);
    await until(() => events['ida-phone']?.some((x) => x.type === 'joined') ?? false);
    await until(() => (e.queues.get('ida-phone') ?? []).length === 0);
    e.hooks.savedSeq = (device) => saved[device]?.seq;
    const before = e.acks.length;
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const m = await hal.c.core.send(g, { type: 'text', text: `note ${i}` });
      ids.push(m.id);
      e.ds.send('hal-phone', g, 'application', m.message);
    }
    e.flush(); // ten deliver frames at once, each with one message
    const got = () => events['ida-phone']!.filter((x) => x.type === 'message' && ids.includes(x.id)).length;
    await until(() => got() === 10);
    await until(() => (e.queues.get('ida-phone') ?? []).length === 0); // all acknowledged
    const acks = e.acks.slice(before).filter((a) => a.device === 'ida-phone');
    expect(acks.length).toBeGreaterThanOrEqual(1);
    expect(acks.length).toBeLessThan(10); // the frames waiting to be applied share their ack
    for (const a of acks) expect(a.savedSeq).toBeGreaterThanOrEqual(a.upTo); // persisted before acknowledged
    expect(acks.map((a) => a.upTo)).toEqual([...acks.map((a) => a.upTo)].sort((x, y) => x - y));
  });

  it('goes on applying and acknowledging when the application’s event handler throws', async () => {
    const kim = await open('kim-phone', 'kim');
    const failing = (ev: ChatEvent) => {
      (events['lou-phone'] ??= []).push(ev);
      if (ev.type === 'message') throw new Error('a bug in the application');
    };
    const lou = await open('lou-phone', 'lou', undefined, true, failing);
    for (const x of [kim, lou]) await x.c.uploadKeyPackages(2, true);
    await lou.c.start();
    const g = await kim.c.createGroup();
    await kim.c.addMembers(g, ['lou']);
    await until(() => events['lou-phone']?.some((x) => x.type === 'joined') ?? false);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await kim.c.core.send(g, { type: 'text', text: `notice ${i}` });
      ids.push(m.id);
      e.ds.send('kim-phone', g, 'application', m.message);
    }
    e.flush();
    await until(() => ids.every((id) => lou.c.core.history.get(g, id)));
    await until(() => (e.queues.get('lou-phone') ?? []).length === 0); // acknowledged all the same
  });
});
