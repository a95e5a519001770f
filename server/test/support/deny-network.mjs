// Preload for commands that must work offline: `node --import ./deny-network.mjs …`. Every attempt to open
// a TCP/TLS socket (http, https, fetch and its undici all connect through net.Socket), a UDP socket or a
// DNS lookup is appended to the file named by PAKAWAAZ_NETWORK_LOG and refused.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.PAKAWAAZ_NETWORK_LOG;

function deny(what) {
  if (log) appendFileSync(log, `${what}\n`);
  throw new Error(`network refused in an offline test: ${what}`);
}

net.Socket.prototype.connect = function connect(...args) {
  const to = args[0];
  deny(
    `connect ${typeof to === 'object' && to ? `${to.host ?? to.path ?? ''}:${to.port ?? ''}` : String(to)}`,
  );
};
dgram.createSocket = (...args) => deny(`udp ${JSON.stringify(args[0])}`);
dns.lookup = (host) => deny(`dns ${host}`);
dns.promises.lookup = async (host) => deny(`dns ${host}`);
dns.resolve = (host) => deny(`dns ${host}`);
dns.promises.resolve = async (host) => deny(`dns ${host}`);
