import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort } from './loopback-port.js';

describe('free loopback ports', () => {
  it('are below the ephemeral range outgoing connections draw from, and free: a listener can bind them', async () => {
    for (let i = 0; i < 10; i++) {
      const port = await freeTcpPort();
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', resolve);
      });
      await new Promise((r) => s.close(r));
    }
  });

  it('UDP too', async () => {
    const port = await freeUdpPort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_768);
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((r) => s.close(r));
  });
});
