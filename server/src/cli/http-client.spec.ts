import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, unwrap } from '@pakawaaz/api-client/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callUrl, createHttpClient } from './http-client.js';

/* The CLI's node:http transport against a real local HTTP server: what it sends and how it reads replies. */
type Seen = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (req.url === '/moved') return res.writeHead(303, { location: '/echo' }).end();
      // Same host, another port: another origin (and the address an attacker's redirect would name).
      if (req.url === '/elsewhere')
        return res.writeHead(307, { location: `http://localhost:${port()}/echo` }).end();
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const mib = Buffer.alloc(2 ** 20);
        let sent = 0;
        const more = (): void => {
          while (sent < 300 && res.write(mib)) sent++;
          if (sent < 300) res.once('drain', more);
          else res.end();
        };
        return more();
      }
      if (req.url === '/empty') return res.writeHead(204).end();
      if (req.url === '/slow') return; // never answers
      if (req.url === '/text') return res.writeHead(200, { 'content-type': 'text/plain' }).end('a,b\n');
      if (req.url === '/refuse')
        return json(409, { code: 'conflict', message: 'already there', requestId: 'r-1' });
      json(200, {
        method: req.method,
        url: req.url,
        body: req.headers['content-type'] === 'application/json' ? (JSON.parse(body) as unknown) : body,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
const port = () => (server.address() as AddressInfo).port;

// The client is typed by the API's paths; these probes go to the test server's own.
type Loose = Record<
  string,
  (
    path: string,
    init?: unknown,
  ) => Promise<{
    data?: unknown;
    error?: unknown;
    response: { status: number; ok: boolean; headers: { get(n: string): string | null } };
  }>
>;
const client = (timeoutMs = 5_000) =>
  createHttpClient({
    baseUrl: `${base}/`,
    token: 'pkz_t',
    requestId: () => 'cli-1',
    timeoutMs,
  }) as unknown as Loose;

describe('the CLI HTTP transport', () => {
  it('serialises path and query parameters as openapi-fetch does', () => {
    expect(
      callUrl('http://h', '/api/v1/users/{id}', {
        path: { id: 'a b/c' },
        query: { search: 'x&y', roles: ['viewer', 'billing'], skip: undefined, f: { a: 1 } },
      }),
    ).toBe('http://h/api/v1/users/a%20b%2Fc?search=x%26y&roles=viewer&roles=billing&f[a]=1');
  });

  it('sends JSON with the token and request id, and parses the JSON reply', async () => {
    const r = await client().POST!('/echo', { body: { name: 'n' } });
    expect(r.data).toEqual({ method: 'POST', url: '/echo', body: { name: 'n' } });
    expect(r.response.status).toBe(200);
    const sent = seen.at(-1)!;
    expect(sent.headers).toMatchObject({
      authorization: 'Bearer pkz_t',
      'x-request-id': 'cli-1',
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength('{"name":"n"}')),
    });
  });

  it('sends a serialised body with its own content type, and reads text', async () => {
    await client().POST!('/echo-csv', {
      body: 'imsi\n1',
      bodySerializer: (b: string) => b,
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(seen.at(-1)).toMatchObject({ body: 'imsi\n1', headers: { 'content-type': 'text/csv' } });
    expect((await client().GET!('/text', { parseAs: 'text' })).data).toBe('a,b\n');
  });

  it('follows a redirect, reads no content as undefined, and hands an error body to unwrap', async () => {
    expect((await client().POST!('/moved', { body: {} })).data).toMatchObject({
      method: 'GET',
      url: '/echo',
    });
    expect(await client().DELETE!('/empty')).toMatchObject({ data: undefined, response: { status: 204 } });
    const refused = await unwrap(client().PUT!('/refuse', { body: {} }) as never).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 409, code: 'conflict', requestId: 'r-1' });
  });

  it('never follows a redirect to another origin: the token and the body stay with the server named', async () => {
    const before = seen.length;
    const err = await client().POST!('/elsewhere', { body: { password: 'secret' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: expect.stringMatching(
        /^The server redirected to http:\/\/localhost:\d+: not followed/,
      ) as string,
    });
    // Only the first request reached a server: nothing was replayed to localhost.
    expect(seen.length).toBe(before + 1);
  });

  // 256 MiB through loopback: seconds on a machine busy with other test files, so more than vitest's 5 s.
  it('stops reading an answer larger than 256 MiB', { timeout: 60_000 }, async () => {
    const err = await client(60_000).GET!('/huge').catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining('larger than 256 MiB') as string });
  });

  it('reports no answer as a network error naming the cause, and gives up after the time limit', async () => {
    const closed = createHttpClient({
      baseUrl: 'http://127.0.0.1:1',
      requestId: () => 'x',
      timeoutMs: 5_000,
    });
    const err = await unwrap(closed.GET('/readyz')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'network_error', cause: { cause: { code: 'ECONNREFUSED' } } });
    const slow = await client(200).GET!('/slow').catch((e: unknown) => e);
    expect(slow).toMatchObject({ name: 'TimeoutError' });
  });
});
