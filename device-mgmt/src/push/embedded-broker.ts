import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { writeToStream } from 'mqtt-packet';
import { brokerPolicy, PUSH_PAYLOAD } from './push-topic.js';
import { ConnectionLimiter, type ConnectionLimits } from './connection-limiter.js';

/** The broker's TLS identity: its certificate (issued by the device CA) and the CAs of device certificates. */
export type BrokerTls = { certPem: string; keyPem: string; chainPem: string; clientCas: readonly string[] };

/** Maps a verified client certificate chain (leaf first, DER) to a device id, or says why not. */
export type BrokerAuthenticate = (
  chain: readonly Uint8Array[],
) => Promise<{ ok: true; deviceId: string } | { ok: false; reason: string }>;

export type BrokerEvent =
  | { kind: 'refused'; reason: 'rate_address' | 'rate_global' }
  | { kind: 'auth_refused'; reason: string }
  | { kind: 'denied'; action: 'subscribe' | 'publish' }
  | { kind: 'kicked'; reason: 'revoked' | 'expired' | 'untrusted' }
  | { kind: 'error'; err: Error };

export type EmbeddedBrokerOptions = {
  host: string;
  port: number;
  tls: BrokerTls;
  authenticate: BrokerAuthenticate;
  limits: ConnectionLimits;
  onEvent?: (e: BrokerEvent) => void;
  /** Time allowed for the TLS handshake and then for the MQTT CONNECT (idle sockets cost memory). */
  handshakeTimeoutMs?: number;
};

export type EmbeddedBroker = {
  readonly port: number;
  /** Authenticated devices connected now. */
  connected(): number;
  /** Publishes the check-in push on a topic, in process (QoS 1, not retained). */
  publish(topic: string): Promise<void>;
  /**
   * Closes the device's connection at once — all of it, or only if it was made with one of `serials` (a
   * renewal revoked the old certificate) — and refuses a connect whose authentication was already under way.
   * Returns the number of connections closed.
   */
  kick(deviceId: string, serials?: readonly string[]): number;
  /**
   * New TLS identity (a renewed server certificate, a new device CA) for new connections; live connections
   * whose certificate has expired, or whose CA is no longer among `clientCas`, are closed (in slices, off the
   * event loop's critical path). Resolves when the sweep is done.
   */
  setTls(t: BrokerTls): Promise<void>;
  close(): Promise<void>;
};

const secureContextOptions = (t: BrokerTls): tls.SecureContextOptions => ({
  key: t.keyPem,
  cert: `${t.certPem.trim()}\n${t.chainPem.trim()}\n`,
  ca: [...t.clientCas],
  // TLS 1.3 only, like the device port: handsets run our hardened OS; no weaker handshake to offer.
  minVersion: 'TLSv1.3',
});

/** DER of the peer's certificate and the intermediates it sent, leaf first, without the self-signed root. */
export function peerChain(socket: tls.TLSSocket): Uint8Array[] {
  const chain: Uint8Array[] = [];
  let cert = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | Record<string, never>;
  const seen = new Set<string>();
  while ('raw' in cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    const selfSigned = cert.issuerCertificate === cert || cert.issuerCertificate?.raw?.equals(cert.raw);
    if (selfSigned && chain.length > 0) break;
    chain.push(new Uint8Array(cert.raw));
    if (!cert.issuerCertificate) break;
    cert = cert.issuerCertificate;
  }
  return chain;
}

const authError = (message: string, returnCode: 2 | 5): AuthenticateError =>
  Object.assign(new Error(message), { returnCode });

/** Serial numbers as the device CA records them: lower-case hex without leading zeros. */
export const normalSerial = (hex: string): string => hex.toLowerCase().replace(/^0+(?=.)/, '');

/** How long a kick also refuses a connect whose authentication started before it (a lookup in flight). */
const KICK_MEMORY_MS = 60_000;
const SWEEP_SLICE = 250;

/** Why a live connection's certificate no longer holds, or null: checked when the broker's TLS identity changes. */
function stale(socket: tls.TLSSocket, cas: readonly X509Certificate[] | null, now: number) {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return 'untrusted' as const;
  if (now > Date.parse(cert.validTo)) return 'expired' as const;
  if (cas && !cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey)))
    return 'untrusted' as const;
  return null;
}

/**
 * The embedded MQTT broker (aedes) on a mutual-TLS listener: handsets authenticate with their device
 * certificate, may read only their own push topic, and never publish; the server publishes in process.
 * Connection attempts are rate-limited before the TLS handshake. Persistent sessions are refused: a push is a
 * hint, the handset checks in after every connect, so the broker keeps no per-device queue.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  // mqtt-packet pre-builds a Buffer for each of the 65,536 packet ids on the first packet it writes: 11 MiB of
  // RSS (6.7 MiB of JS heap) to save a 2-byte allocation per SUBACK or QoS 1 push. Process-wide setting.
  writeToStream.cacheNumbers = false;
  const emit = (e: BrokerEvent) => o.onEvent?.(e);
  const devices = new WeakMap<Client, string>();
  const timeout = o.handshakeTimeoutMs ?? 10_000;
  const aedes = await Aedes.createBroker({
    connectTimeout: timeout,
    maxClientsIdLength: 36, // a uuid, also for MQTT 3.1 clients (3.1.1 has no limit)
    preConnect: (_client, packet, done) =>
      done(packet.clean ? null : authError('persistent sessions are not offered', 2), packet.clean === true),
    authenticate: (client, _user, _password, done) => {
      const socket = client.conn as tls.TLSSocket;
      if (!socket.authorized) return done(authError('no device certificate', 5), false);
      const started = performance.now();
      o.authenticate(peerChain(socket)).then(
        (r) => {
          if (r.ok && (kicked.get(r.deviceId) ?? -Infinity) >= started) r = { ok: false, reason: 'revoked' };
          if (!r.ok) {
            emit({ kind: 'auth_refused', reason: r.reason });
            return done(authError('not authorized', 5), false);
          }
          if (!brokerPolicy.mayConnect(r.deviceId, client.id)) {
            emit({ kind: 'auth_refused', reason: 'client_id' });
            return done(authError('the client id must be the device id', 2), false);
          }
          devices.set(client, r.deviceId);
          done(null, true);
        },
        (err: Error) => {
          emit({ kind: 'error', err });
          done(authError('authentication unavailable', 5), false);
        },
      );
    },
    authorizeSubscribe: (client, sub, done) => {
      const deviceId = devices.get(client);
      if (deviceId && brokerPolicy.maySubscribe(deviceId, sub.topic))
        return done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
      emit({ kind: 'denied', action: 'subscribe' });
      done(null, null); // SUBACK 0x80 for this topic; the connection stays up
    },
    authorizePublish: (_client, _packet, done) => {
      emit({ kind: 'denied', action: 'publish' });
      done(brokerPolicy.mayPublish() ? null : new Error('devices do not publish'));
    },
  });
  aedes.on('clientError', (_c, err) => emit({ kind: 'error', err }));
  // The client id is the device id, so aedes holds at most one connection per device (a second takes over).
  const live = new Map<string, Client>();
  aedes.on('client', (c) => void live.set(c.id, c));
  aedes.on('clientDisconnect', (c) => void (live.get(c.id) === c && live.delete(c.id)));
  const kicked = new Map<string, number>();
  const close = (c: Client, reason: 'revoked' | 'expired' | 'untrusted') => {
    emit({ kind: 'kicked', reason });
    c.close();
    (c.conn as tls.TLSSocket).destroy();
  };
  const kick = (deviceId: string, serials?: readonly string[]): number => {
    const t = performance.now();
    for (const [id, at] of kicked)
      if (t - at > KICK_MEMORY_MS) kicked.delete(id);
      else break; // insertion order is time order
    kicked.delete(deviceId);
    if (!serials) kicked.set(deviceId, t);
    const c = live.get(deviceId);
    if (!c) return 0;
    const serial = (c.conn as tls.TLSSocket).getPeerCertificate().serialNumber;
    if (serials && !(serial && serials.map(normalSerial).includes(normalSerial(serial)))) return 0;
    close(c, 'revoked');
    return 1;
  };
  let cas = o.tls.clientCas.join('\n');
  const sweep = async (t: BrokerTls): Promise<void> => {
    const caChanged = t.clientCas.join('\n') !== cas;
    cas = t.clientCas.join('\n');
    const trusted = t.clientCas.map((pem) => new X509Certificate(pem));
    const clients = [...live.values()];
    for (let i = 0; i < clients.length; i += SWEEP_SLICE) {
      const now = Date.now();
      for (const c of clients.slice(i, i + SWEEP_SLICE)) {
        if (c.closed) continue;
        const why = stale(c.conn as tls.TLSSocket, caChanged ? trusted : null, now);
        if (why) close(c, why);
      }
      await new Promise((r) => setImmediate(r));
    }
  };

  const tlsServer = tls.createServer({
    ...secureContextOptions(o.tls),
    requestCert: true,
    rejectUnauthorized: true,
    handshakeTimeout: timeout,
  });
  tlsServer.on('secureConnection', (socket) => aedes.handle(socket));
  tlsServer.on('tlsClientError', () => undefined); // a failed handshake is the client's problem, not ours
  const limiter = new ConnectionLimiter(o.limits);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const verdict = limiter.take(socket.remoteAddress ?? '');
    if (verdict !== 'accept') {
      emit({ kind: 'refused', reason: verdict === 'address' ? 'rate_address' : 'rate_global' });
      socket.destroy();
      return;
    }
    sockets.add(socket);
    // Handsets behind NAT vanish without a FIN; TCP keep-alive reaps them even with MQTT keep-alive off.
    socket.setKeepAlive(true, 120_000);
    socket.once('close', () => sockets.delete(socket));
    tlsServer.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => emit({ kind: 'error', err }));

  return {
    port: (server.address() as net.AddressInfo).port,
    connected: () => aedes.connectedClients,
    publish: (topic) =>
      new Promise<void>((resolve, reject) =>
        aedes.publish(
          { cmd: 'publish', topic, payload: PUSH_PAYLOAD, qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      ),
    kick,
    setTls: (t) => {
      tlsServer.setSecureContext(secureContextOptions(t));
      return sweep(t);
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of sockets) s.destroy(); // still in the TLS handshake or before CONNECT
      await closed;
    },
  };
}
