import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedLookup, postWebhook, WEBHOOK_REPLY_BYTES } from './webhook-post.js';

/** A resolver that answers one fixed set of addresses, as a DNS name re-pointed after registration would. */
const resolvesTo =
  (...addresses: string[]) =>
  (_h: string, _o: unknown, cb: (e: null, a: { address: string; family: number }[]) => void) =>
    cb(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

const lookupOf = (lookup: ReturnType<typeof guardedLookup>, all = false) =>
  new Promise<string>((resolve) =>
    lookup('eoffice.gov.example', { all }, (err, address) =>
      resolve(err ? `refused: ${err.message}` : JSON.stringify(address)),
    ),
  );

describe('webhook addresses checked when connecting, not only at registration', () => {
  const publicOnly = { loopback: false, privateNetworks: false };

  it('refuses a name that now resolves to loopback, link-local (metadata) or unspecified', async () => {
    for (const a of ['127.0.0.1', '::1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::ffff:127.0.0.1'])
      expect(await lookupOf(guardedLookup(publicOnly, resolvesTo(a))), a).toMatch(/refused: .*loopback/);
  });

  it('refuses private networks unless the allow-list names the host; public addresses pass', async () => {
    for (const a of ['10.0.0.5', '172.16.3.4', '192.168.1.1', '100.64.0.1', 'fd00::5'])
      expect(await lookupOf(guardedLookup(publicOnly, resolvesTo(a))), a).toMatch(/refused: .*private/);
    const listed = { loopback: false, privateNetworks: true };
    expect(await lookupOf(guardedLookup(listed, resolvesTo('10.0.0.5')))).toBe('"10.0.0.5"');
    expect(await lookupOf(guardedLookup(listed, resolvesTo('127.0.0.1')))).toMatch(/refused/);
    expect(await lookupOf(guardedLookup(publicOnly, resolvesTo('203.0.113.7')))).toBe('"203.0.113.7"');
  });

  it('refuses cloud metadata and link-local even for a host the allow-list names', async () => {
    const listed = { loopback: false, privateNetworks: true };
    for (const a of [
      '169.254.169.254',
      '169.254.170.2',
      'fe80::a9fe:a9fe',
      'fd00:ec2::254',
      'fd00:ec2::23',
      'fd20:ce::254',
      '100.100.100.200',
      '168.63.129.16',
      'fec0::1',
      '::ffff:100.100.100.200',
    ])
      expect(await lookupOf(guardedLookup(listed, resolvesTo(a))), a).toMatch(/refused: .*cloud metadata/);
    // Their neighbours in the private ranges stay open to a listed host.
    for (const a of ['fd00:ec2::1', '100.100.100.199', 'fd20:ce::1'])
      expect(await lookupOf(guardedLookup(listed, resolvesTo(a))), a).toBe(JSON.stringify(a));
  });

  it('hands the socket only the allowed addresses of a mixed answer (all: true, as happy eyeballs asks)', async () => {
    const lookup = guardedLookup(publicOnly, resolvesTo('127.0.0.1', '203.0.113.7'));
    expect(JSON.parse(await lookupOf(lookup, true))).toEqual([{ address: '203.0.113.7', family: 4 }]);
  });
});

describe('postWebhook connects to the address the lookup checked', () => {
  let server: Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('a name resolving to loopback is never connected to; in lab mode (http to loopback) it is', async () => {
    const url = `http://localhost:${port}/hook`;
    const post = (loopback: boolean) =>
      postWebhook(url, {}, '{}', {
        timeoutMs: 2000,
        lookup: guardedLookup({ loopback, privateNetworks: false }, resolvesTo('127.0.0.1')),
      });
    await expect(post(false)).rejects.toThrow(/loopback/);
    expect(hits).toBe(0);
    expect(await post(true)).toBe(204);
    expect(hits).toBe(1);
  });
});

describe('postWebhook reads at most WEBHOOK_REPLY_BYTES of the reply', () => {
  it('closes a reply that streams without end, well before the timeout; the status decides', async () => {
    let sent = 0;
    let closed = false;
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = setInterval(() => {
        if (res.destroyed || res.writableEnded) return;
        res.write(chunk);
        sent += chunk.length;
      }, 1);
      res.on('close', () => {
        closed = true;
        clearInterval(pump);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const started = Date.now();
      const status = await postWebhook(`http://127.0.0.1:${port}/hook`, {}, '{}', {
        timeoutMs: 10_000,
        lookup: guardedLookup({ loopback: true, privateNetworks: false }, resolvesTo('127.0.0.1')),
      });
      expect(status).toBe(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(closed).toBe(true);
      // What was written before the close reached the socket: the cap, and what was in flight.
      expect(sent).toBeLessThan(WEBHOOK_REPLY_BYTES * 64);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
