import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneApi } from './control-plane-api.js';

describe('controlPlaneApi', () => {
  // A server that accepts connections and never answers: what a server with a stuck event loop looks like.
  let silent: Server;
  const sockets: Socket[] = [];
  let url: string;
  beforeAll(async () => {
    silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('fails a request that gets no answer within its time, naming the request', async () => {
    const api = controlPlaneApi(url, 'a-token', 300);
    const started = Date.now();
    await expect(api.GET('/api/v1/network/spec')).rejects.toThrow(
      'GET /api/v1/network/spec got no answer within 300 ms',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('bounds the wait for the answer, not its body: a body slower than the time still arrives', async () => {
    const slow = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      setTimeout(() => res.end('{"spec":null}'), 600);
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    try {
      const api = controlPlaneApi(`http://127.0.0.1:${(slow.address() as { port: number }).port}`, 't', 300);
      expect((await api.GET('/api/v1/network/spec')).data).toEqual({ spec: null });
    } finally {
      await new Promise((r) => slow.close(r));
    }
  });

  it('keeps the time for a client with another token', async () => {
    const api = controlPlaneApi(url, undefined, 300).withToken('another');
    await expect(api.POST('/api/v1/institutions', { body: { name: 'X' } })).rejects.toThrow(
      'POST /api/v1/institutions got no answer within 300 ms',
    );
  });
});
