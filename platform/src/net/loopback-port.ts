import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/**
 * A loopback port free at the time of asking, for a listener that must be told its port before it starts
 * (a child process, or a setting where 0 means "off"). The kernel's own choice (port 0) comes from the
 * ephemeral range (Linux: 32768–60999), which outgoing connections draw from too: between this probe closing and
 * the listener binding, any connection on the machine may take the port as its local one, and the listener
 * fails with EADDRINUSE. So the port is drawn at random below that range and probed by binding it; the
 * kernel's choice is the fallback when none of the tries is free.
 */
const LOW = 20_000;
const HIGH = 32_768; // exclusive: where Linux's default ephemeral range begins
const TRIES = 50;

type Probe = (port: number) => Promise<number | null>;

const tcpProbe: Probe = (port) =>
  new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(null));
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const bound = (s.address() as { port: number }).port;
      s.close(() => resolve(bound));
    });
  });

const udpProbe: Probe = (port) =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(null);
    });
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => {
      const bound = s.address().port;
      s.close(() => resolve(bound));
    });
  });

async function pick(probe: Probe): Promise<number> {
  for (let i = 0; i < TRIES; i++) {
    const port = await probe(LOW + Math.floor(Math.random() * (HIGH - LOW)));
    if (port !== null) return port;
  }
  const any = await probe(0);
  if (any === null) throw new Error('no free loopback port');
  return any;
}

/** A free loopback TCP port below the ephemeral range (see above). */
export const freeTcpPort = (): Promise<number> => pick(tcpProbe);

/** A free loopback UDP port below the ephemeral range (see above). */
export const freeUdpPort = (): Promise<number> => pick(udpProbe);
