import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitForHealthy } from './http-probe.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

function serve(handler: (calls: number) => number): Promise<string> {
  let calls = 0;
  server = createServer((_req, res) => res.writeHead(handler(++calls)).end());
  return new Promise((resolve) =>
    server!.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/healthz`),
    ),
  );
}

describe('waitForHealthy', () => {
  it('waits through 503s until the service answers 200', async () => {
    const url = await serve((n) => (n < 4 ? 503 : 200));
    const ms = await waitForHealthy(url, { intervalMs: 20, timeoutMs: 5_000 });
    expect(ms).toBeGreaterThanOrEqual(50);
  });

  it('gives up after the timeout and says what it last saw', async () => {
    const url = await serve(() => 503);
    await expect(waitForHealthy(url, { intervalMs: 20, timeoutMs: 300 })).rejects.toThrow(
      /not healthy within 300 ms \(last: HTTP 503\)/,
    );
  });

  it('reports a refused connection', async () => {
    await expect(
      waitForHealthy('http://127.0.0.1:59997/healthz', { intervalMs: 20, timeoutMs: 200 }),
    ).rejects.toThrow(/last: ECONNREFUSED/);
  });
});
