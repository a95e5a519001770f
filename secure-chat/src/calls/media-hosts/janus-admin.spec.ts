import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JanusAdmin } from './janus-admin.js';

/** A stand-in admin endpoint on loopback that answers by path: a redirect, an endless body, or a normal reply. */
describe('Janus admin driver: what it reads', () => {
  let server: Server;
  let base: string;
  let followed = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(307, { location: '/elsewhere' }).end();
      } else if (req.url === '/elsewhere') {
        followed = true;
        res.end(JSON.stringify({ janus: 'server_info', version_string: 'x' }));
      } else if (req.url === '/flood') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        // Never ends: a reader that buffers the whole body would wait for its timeout instead.
        const pump = () => {
          while (!res.destroyed) if (!res.write(chunk)) return void res.once('drain', pump);
        };
        pump();
      } else res.end(JSON.stringify({ janus: 'success', sessions: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('never follows a redirect (the admin secret travels in the body)', async () => {
    await expect(new JanusAdmin(`${base}/redirect`, 's').info()).rejects.toMatchObject({
      name: 'JanusError',
    });
    expect(followed).toBe(false);
  });

  it('stops reading a reply past 4 MiB instead of buffering all of it', async () => {
    await expect(new JanusAdmin(`${base}/flood`, 's', 20_000).info()).rejects.toThrow(/too large/);
  }, 30_000);
});
