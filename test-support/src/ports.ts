import { createServer } from 'node:net';

/**
 * A loopback TCP port free at the time of asking, for a listener whose setting has no "any free port" value
 * (e.g. PAKAWAAZ_DEVICE_PORT, where 0 turns the device port off).
 */
export async function freeTcpPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
