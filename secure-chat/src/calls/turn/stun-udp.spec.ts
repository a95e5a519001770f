import { createSocket, Socket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeText } from './stun-attributes.js';
import { Attr, attribute, decodeStun, encodeStun, StunMethod } from './stun-message.js';
import { openStunClient, resolveHost } from './stun-udp.js';

// A local UDP socket plays the STUN server; `answer` decides what it (or another socket) sends back.
type Answer = (req: Buffer, reply: (from: Socket, txid: Buffer, tag: string) => Promise<void>) => void;

const sockets: Socket[] = [];
const bound = () =>
  new Promise<Socket>((resolve) => {
    const s = createSocket('udp4');
    sockets.push(s);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });

async function server(answer: Answer) {
  const s = await bound();
  s.on('message', (req, from) =>
    answer(req, (sender, txid, tag) => {
      const out = encodeStun({
        method: StunMethod.binding,
        cls: 'success',
        transactionId: txid,
        attributes: [{ type: Attr.software, value: encodeText(tag) }],
      });
      return new Promise<void>((done) => sender.send(out, from.port, from.address, () => done()));
    }),
  );
  return s.address().port;
}

const binding = (transactionId: Buffer) =>
  encodeStun({ method: StunMethod.binding, cls: 'request', transactionId, attributes: [] });
const tagOf = (raw: Buffer) => attribute(decodeStun(raw), Attr.software)?.toString();
const loopback = { address: '127.0.0.1', family: 4 };

afterEach(() => {
  vi.restoreAllMocks();
  for (const s of sockets.splice(0)) s.close();
});

describe('STUN over UDP', () => {
  it('ignores an answer from another port', async () => {
    const other = await bound();
    const port = await server((req, reply) => {
      const txid = decodeStun(req).transactionId;
      void reply(other, txid, 'other port').then(() => reply(sockets[1]!, txid, 'server'));
    });
    const client = await openStunClient(loopback, port);
    const r = await client.request(binding, 3_000);
    client.close();
    expect(tagOf(r.raw)).toBe('server');
  });

  it('ignores an answer of another transaction', async () => {
    const port = await server((req, reply) => {
      const txid = decodeStun(req).transactionId;
      const wrong = Buffer.from(txid.map((b) => b ^ 0xff));
      void reply(sockets[0]!, wrong, 'other transaction').then(() => reply(sockets[0]!, txid, 'ours'));
    });
    const client = await openStunClient(loopback, port);
    const r = await client.request(binding, 3_000);
    client.close();
    expect(tagOf(r.raw)).toBe('ours');
  });

  it('gives up at the deadline; closing then closes the socket and refuses further requests', async () => {
    const port = await server(() => undefined);
    const close = vi.spyOn(Socket.prototype, 'close');
    const client = await openStunClient(loopback, port);
    await expect(client.request(binding, 200)).rejects.toThrow('no answer within 200 ms');
    client.close();
    expect(close).toHaveBeenCalledTimes(1);
    await expect(client.request(binding, 200)).rejects.toThrow('client closed');
  });

  it('closes the socket when it cannot bind', async () => {
    const close = vi.spyOn(Socket.prototype, 'close');
    vi.spyOn(Socket.prototype, 'bind').mockImplementationOnce(function (this: Socket) {
      queueMicrotask(() => this.emit('error', new Error('bind EADDRINUSE')));
      return this;
    });
    await expect(openStunClient(loopback, 3478)).rejects.toThrow('bind EADDRINUSE');
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('gives a DNS lookup that does not answer up at the deadline', async () => {
    const never = () => new Promise<never>(() => undefined);
    await expect(resolveHost('turn.example', 100, never)).rejects.toThrow('no DNS answer within 100 ms');
  });

  it('resolves every address of a name', async () => {
    const all = await resolveHost('localhost', 3_000);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((a) => a.family === 4 || a.family === 6)).toBe(true);
    expect(await resolveHost('127.0.0.1', 3_000)).toEqual([loopback]);
  });
});
