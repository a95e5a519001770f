import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchNfText, NfFetchError } from './nf-http.js';

let server: Server | undefined;
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
});

function serve(handler: (res: ServerResponse) => void): Promise<string> {
  server = createServer((_req, res) => handler(res));
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/metrics`),
    ),
  );
}

// Generous where an answer is expected (a loaded machine can take 300 ms on loopback); short where it times out.
const opts = { timeoutMs: 10_000, maxBytes: 1024 };
const short = { ...opts, timeoutMs: 300 };

async function failure(p: Promise<unknown>): Promise<NfFetchError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof NfFetchError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('fetchNfText', () => {
  it('returns the body', async () => {
    const url = await serve((res) => res.end('ran_ue 3\n'));
    expect(await fetchNfText(url, opts)).toBe('ran_ue 3\n');
  });

  it('reports an HTTP error status', async () => {
    const url = await serve((res) => res.writeHead(503, 'Service Unavailable').end('busy'));
    const err = await failure(fetchNfText(url, opts));
    expect(err.message).toBe('HTTP 503 Service Unavailable');
    expect(err.status).toBe(503);
  });

  it('times out when the NF accepts but never answers, and when it stalls mid-body', async () => {
    const hang = await serve(() => undefined);
    expect((await failure(fetchNfText(hang, short))).message).toBe('timed out after 300 ms');
    server?.closeAllConnections();
    server?.close();
    const stall = await serve((res) => res.writeHead(200).write('ran_ue'));
    expect((await failure(fetchNfText(stall, short))).message).toBe('timed out after 300 ms');
  });

  it('refuses bodies over the limit, declared or streamed', async () => {
    const declared = await serve((res) =>
      res.writeHead(200, { 'content-length': 5000 }).end('x'.repeat(5000)),
    );
    expect((await failure(fetchNfText(declared, opts))).message).toMatch(
      /5000 bytes is over the 1024-byte limit/,
    );
    server?.close();
    const chunked = await serve((res) => {
      res.writeHead(200);
      for (let i = 0; i < 10; i++) res.write('x'.repeat(200));
      res.end();
    });
    expect((await failure(fetchNfText(chunked, opts))).message).toBe('response is over the 1024-byte limit');
  });

  it('names a refused connection', async () => {
    const url = await serve((res) => res.end());
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    expect((await failure(fetchNfText(url, opts))).message).toMatch(/^connection refused \(ECONNREFUSED\)/);
  });

  it('stops when the caller aborts', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await failure(fetchNfText(url, { ...opts, timeoutMs: 5_000, signal: controller.signal }));
    expect(err.message).toBe('aborted: the monitor is stopping');
  });
});
