import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import {
  markDeviceListenerSocket,
  type DeviceEdgeTls,
  type Logger,
  type PlatformConfig,
} from '@pakawaaz/platform';
import { readTlsPair } from './tls.js';

/** How often the device CAs and the issued server certificate are read again (a CA rotation needs no restart). */
export const DEVICE_TLS_REFRESH_MS = 5 * 60_000;

/** The device port as the banner, /healthz readers and the tests see it. */
export type DevicePortState =
  | { readonly open: true; readonly port: number; readonly url: string }
  | { readonly open: false; readonly reason: string };

/** The device port's state for the NOC's system page (set by the composition root once the port is opened). */
export class DevicePortStatus {
  state: DevicePortState = { open: false, reason: 'not opened yet' };
}

export type DevicePort = {
  readonly state: DevicePortState;
  /** Reads the CAs and the server certificate again now (the timer does it every DEVICE_TLS_REFRESH_MS). */
  refresh(): Promise<void>;
  close(): Promise<void>;
};

/** The oldest TLS version the device port accepts. */
export const DEVICE_PORT_MIN_TLS = 'TLSv1.3';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Handles an 'upgrade' request (a WebSocket); the listener then owns the socket. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * The device port: HTTPS asking every client for a certificate (mutual TLS), serving the same application as
 * the main port (`handler` is Fastify's request handler, so routes, hooks and the guard are the same).
 *
 * - A client without a certificate is served: public routes (enrolment, the CA certificate) work, device routes
 *   answer 401 device_certificate_required.
 * - A certificate the device CAs did not issue (or an expired one) ends the connection right after the
 *   handshake: no request of it is read. Revocation and the device's state are the authenticator's, per request.
 * - The server certificate is PAKAWAAZ_DEVICE_TLS_CERT_FILE/KEY_FILE, or one the device CA issues for
 *   PAKAWAAZ_DEVICE_HOSTNAMES; CAs and issued certificate are re-read periodically (setSecureContext).
 */
export async function openDevicePort(options: {
  config: PlatformConfig;
  edge: DeviceEdgeTls | undefined;
  handler: Handler;
  /** WebSocket upgrades (the chat socket); without it, an upgrade request is left unanswered by Node. */
  upgrade?: UpgradeHandler;
  logger: Logger;
  listen: boolean;
}): Promise<DevicePort> {
  const { config, edge, logger } = options;
  const closed = (reason: string): DevicePort => ({
    state: { open: false, reason },
    refresh: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  if (config.PAKAWAAZ_DEVICE_PORT === 0) return closed('off (PAKAWAAZ_DEVICE_PORT=0)');
  if (!edge) {
    const reason = 'not opened: device management (its CA) is not served on this node';
    logger.warn({ port: config.PAKAWAAZ_DEVICE_PORT }, `device port ${reason}`);
    return closed(reason);
  }
  if (!options.listen) return closed('not opened (the server does not listen)');
  const files = deviceTlsFiles(config);
  const contextOptions = async (): Promise<SecureContextOptions> => {
    const ca = [...(await edge.clientCas())];
    if (ca.length === 0) throw new Error('device management returned no client CA');
    if (files) return { ...files, ca };
    const identity = await edge.serverIdentity(config.PAKAWAAZ_DEVICE_HOSTNAMES);
    return { cert: `${identity.certPem.trim()}\n${identity.chainPem.trim()}\n`, key: identity.keyPem, ca };
  };
  const initial = await contextOptions();
  const server = createServer(
    {
      ...initial,
      requestCert: true,
      // Checked below: a client without a certificate is let in, one with a foreign certificate is not.
      rejectUnauthorized: false,
      // TLS 1.3 only: handsets run our hardened OS (TLS 1.3 everywhere), and a TLS terminator forwarding a
      // client certificate must reach this port too (nginx `proxy_ssl_protocols TLSv1.3`, HAProxy
      // `ssl-min-ver TLSv1.3`), so nothing here needs 1.2's weaker handshake (no renegotiation, no RSA key
      // exchange, the client certificate encrypted).
      minVersion: DEVICE_PORT_MIN_TLS,
      requestTimeout: 60_000,
      headersTimeout: 30_000,
      keepAliveTimeout: 72_000,
    },
    options.handler,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    // The client certificate is read once per connection (platform's client-certificate): it must not change.
    socket.disableRenegotiation();
    // Only this listener's requests may carry a forwarded client certificate (from an allow-listed proxy).
    markDeviceListenerSocket(socket);
    if (socket.authorized) return;
    const cert = socket.getPeerCertificate();
    if (!cert || Object.keys(cert).length === 0) return; // no certificate: anonymous, like the main port
    logger.info(
      { remote: socket.remoteAddress, error: String(socket.authorizationError) },
      'device port: client certificate refused at the handshake',
    );
    socket.destroy();
  });
  if (options.upgrade) server.on('upgrade', options.upgrade);
  server.on('tlsClientError', (err: Error) => {
    logger.debug({ err: { message: err.message } }, 'device port: TLS handshake failed');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PAKAWAAZ_DEVICE_PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ port, certificate: files ? 'file' : 'device CA' }, 'device port (mutual TLS) listening');

  const refresh = async () => {
    server.setSecureContext(await contextOptions());
  };
  const timer = setInterval(() => {
    refresh().catch((err: unknown) =>
      logger.error(
        { err: { message: (err as Error).message } },
        'device port: could not refresh the device CAs or server certificate; keeping the current ones',
      ),
    );
  }, DEVICE_TLS_REFRESH_MS);
  timer.unref();
  return {
    state: { open: true, port, url },
    refresh,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        const force = setTimeout(() => server.closeAllConnections(), 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive connections would hold close() open; requests in flight finish first (10 s at most).
        server.closeIdleConnections();
      }),
  };
}

/** PAKAWAAZ_DEVICE_TLS_CERT_FILE / KEY_FILE, read and checked as a pair; undefined when unset. */
const deviceTlsFiles = (config: PlatformConfig) =>
  readTlsPair(config, 'PAKAWAAZ_DEVICE_TLS_CERT_FILE', 'PAKAWAAZ_DEVICE_TLS_KEY_FILE');
