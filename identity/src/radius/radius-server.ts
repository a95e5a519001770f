import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createRadiusDedupe, type DedupeOptions } from './radius-dedupe.js';
import {
  RadiusDispatcher,
  type RadiusDropEvent,
  type RadiusPort,
  type RadiusServerStats,
} from './radius-dispatch.js';
import type { RadiusClientLookup, RadiusHandler, RadiusLogger } from './radius-handler.js';

/**
 * The UDP listener shell (node:dgram, no Nest): two sockets, authentication and accounting, feeding one
 * dispatcher. Protocol only; who may connect and what to answer are injected. Nothing a peer sends can
 * throw out of here: every failure becomes a counted drop, and socket errors are logged, not fatal.
 */

export type RadiusServerOptions = {
  /** 1812 and 1813 in production; 0 picks a free port (tests), reported on the returned server. */
  readonly authPort: number;
  readonly acctPort: number;
  /** Default 0.0.0.0. An IPv6 host binds dual-stack: IPv4 clients then appear as ::ffff:a.b.c.d. */
  readonly host?: string;
  readonly clients: RadiusClientLookup;
  readonly handler: RadiusHandler;
  readonly logger?: RadiusLogger;
  readonly onDrop?: (event: RadiusDropEvent) => void;
  /** Milliseconds, for the duplicate cache; Date.now by default. */
  readonly now?: () => number;
  /** Handler calls allowed at once; beyond it requests are dropped ('overloaded') and the NAS retries. */
  readonly maxInFlight?: number;
  readonly dedupe?: DedupeOptions;
};

export type RadiusServer = {
  readonly authPort: number;
  readonly acctPort: number;
  /** Stops listening; replies of requests still in flight are not sent. */
  close(): Promise<void>;
  stats(): RadiusServerStats;
};

export const DEFAULT_MAX_IN_FLIGHT = 10_000;

const errorFields = (error: Error): object => ({
  error: error.name,
  code: (error as NodeJS.ErrnoException).code,
});

function bindSocket(port: number, host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    const onError = (error: Error): void => {
      socket.close();
      reject(error);
    };
    socket.once('error', onError);
    socket.bind(port, host, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

const closeSocket = (socket: Socket): Promise<void> =>
  new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });

type Listener = {
  readonly dispatcher: RadiusDispatcher;
  readonly logger: RadiusLogger | undefined;
  readonly isClosed: () => boolean;
};

function send(socket: Socket, reply: Buffer, address: string, port: number, listener: Listener): void {
  if (listener.isClosed()) return;
  socket.send(reply, port, address, (error) => {
    if (error) listener.logger?.warn(errorFields(error), 'RADIUS reply not sent');
  });
}

function serve(socket: Socket, port: RadiusPort, listener: Listener): void {
  socket.on('message', (datagram, remote) => {
    const source = { address: remote.address, port: remote.port };
    listener.dispatcher
      .handle(port, datagram, source)
      .then((reply) => {
        if (reply) send(socket, reply, source.address, source.port, listener);
      })
      .catch((error: unknown) => {
        const fields = error instanceof Error ? errorFields(error) : {};
        listener.logger?.error({ port, ...fields }, 'RADIUS reply failed');
      });
  });
  // Without a listener an 'error' event would throw and end the process.
  socket.on('error', (error) =>
    listener.logger?.error({ port, ...errorFields(error) }, 'RADIUS socket error'),
  );
}

export async function startRadiusServer(options: RadiusServerOptions): Promise<RadiusServer> {
  const host = options.host ?? '0.0.0.0';
  const dispatcher = new RadiusDispatcher({
    clients: options.clients,
    handler: options.handler,
    dedupe: createRadiusDedupe(options.dedupe),
    now: options.now ?? Date.now,
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    logger: options.logger,
    onDrop: options.onDrop,
  });
  let closing: Promise<void> | undefined;
  const listener: Listener = { dispatcher, logger: options.logger, isClosed: () => closing !== undefined };
  // Each socket is served as soon as it is bound: an 'error' event without a listener would be fatal.
  const auth = await bindSocket(options.authPort, host);
  serve(auth, 'auth', listener);
  const acct = await bindSocket(options.acctPort, host).catch(async (error: unknown) => {
    await closeSocket(auth);
    throw error;
  });
  serve(acct, 'acct', listener);
  return {
    authPort: auth.address().port,
    acctPort: acct.address().port,
    close: () => (closing ??= Promise.all([closeSocket(auth), closeSocket(acct)]).then(() => undefined)),
    stats: () => dispatcher.stats(),
  };
}
