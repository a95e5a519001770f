import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Optional, type OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  AppError,
  CLIENT_CERTIFICATES,
  ClientCertificates,
  DATABASE_RETRY_AFTER_SECONDS,
  DEVICE_AUTHENTICATOR,
  desktopDevice,
  DPOP_SETTINGS,
  MemoryDpopReplay,
  isDatabaseUnavailable,
  LOGGER,
  TOKEN_VERIFIER,
  type DeviceAuthenticator,
  type TokenVerifier,
  type DevicePrincipal,
  type DpopSettings,
} from '@pakawaaz/platform';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeliveryService } from '../delivery/delivery.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { fromB64u } from '../mls/bytes.js';
import { MLS_LIMITS } from '../mls/mls-facts.js';
import { SECURE_CHAT_CONFIG, type SecureChatConfig } from '../secure-chat.config.js';
import { ChatHub } from './chat-hub.js';
import { ChatSession } from './chat-session.js';
import { ChatFlood } from './chat-flood.js';
import { CALL_SIGNALLING, type CallSignalling } from '../chat-ports.js';
import { parseClientFrame, type ClientFrame } from './frames.js';

export const CHAT_WS_PATH = '/api/v1/chat/ws';
/**
 * A browser cannot set headers on a WebSocket: a desktop device offers the subprotocols
 * `pakawaaz.dpop`, `token.<access token>` and `dpop.<proof for GET /api/v1/chat/ws>`; the server selects the first.
 */
export const CHAT_WS_DPOP_PROTOCOL = 'pakawaaz.dpop';

/**
 * The chat WebSocket (`ws`, noServer): the server's HTTP listeners hand it their 'upgrade' requests. A device
 * authenticates with the client certificate of its TLS connection (the device port's mutual TLS, or a
 * certificate an allow-listed proxy forwards), as its HTTP routes do; anything else is refused before the
 * upgrade. Limits: frame size (ws maxPayload: a bigger frame closes the socket, 1009), frames and their bytes
 * per second per device (over either: an error frame, the frame dropped), ping every PAKAWAAZ_CHAT_WS_PING_SECONDS (no pong: closed;
 * the certificate is checked again then: a revoked device is closed).
 */
@Injectable()
export class ChatSocketServer implements OnModuleDestroy {
  private readonly wss: WebSocketServer;
  private readonly certificates: ClientCertificates;
  private readonly dpop: DpopSettings;

  constructor(
    private readonly hub: ChatHub,
    private readonly delivery: DeliveryService,
    private readonly groups: GroupsService,
    private readonly flood: ChatFlood,
    @Inject(SECURE_CHAT_CONFIG) private readonly config: SecureChatConfig,
    @Optional() @Inject(DEVICE_AUTHENTICATOR) private readonly devices?: DeviceAuthenticator | null,
    @Optional() @Inject(CLIENT_CERTIFICATES) certificates?: ClientCertificates | null,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
    private readonly moduleRef?: ModuleRef,
    @Optional() @Inject(DPOP_SETTINGS) dpop?: DpopSettings | null,
  ) {
    this.certificates =
      certificates ?? new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' });
    this.dpop = dpop ?? { replay: new MemoryDpopReplay(), origins: [] };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.wsMaxFrameBytes,
      perMessageDeflate: false, // ws's default, said here: compressing ciphertext costs CPU and saves nothing
      handleProtocols: (offered) => (offered.has(CHAT_WS_DPOP_PROTOCOL) ? CHAT_WS_DPOP_PROTOCOL : false),
    });
  }

  /** Handles an 'upgrade' of a listener; false when the path is not the chat socket's (left to others). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== CHAT_WS_PATH) return false;
    socket.on('error', () => undefined);
    this.authenticate(req)
      .then((auth) => {
        if (!auth.ok) return refuse(socket, auth.status, auth.code);
        this.wss.handleUpgrade(req, socket, head, (ws) =>
          this.open(ws, auth.device, auth.chain, 'token' in auth ? auth.token : undefined),
        );
      })
      .catch((err: unknown) => {
        this.logger?.error({ err }, 'chat socket: upgrade failed');
        refuse(socket, 500, 'internal_error');
      });
    return true;
  }

  private async authenticate(req: IncomingMessage) {
    type Refusal = { ok: false; status: number; code: string };
    let chain: Uint8Array[] | null;
    try {
      chain = this.certificates.chain({ headers: req.headers, raw: { socket: req.socket } });
    } catch {
      return { ok: false, status: 400, code: 'malformed_client_certificate' } satisfies Refusal;
    }
    if (!chain) return this.authenticateDesktop(req);
    if (!this.devices)
      return { ok: false, status: 503, code: 'device_management_unavailable' } satisfies Refusal;
    const result = await this.devices.authenticate(chain);
    // A bot's queue goes to its webhook, and its sends over HTTP (within its budget): no socket for it. A
    // desktop device's certificate comes in only with its official's token and a DPoP proof, never alone.
    if (!result.ok || result.device.kind === 'bot' || result.device.kind === 'desktop')
      return { ok: false, status: 403, code: 'device_certificate_refused' } satisfies Refusal;
    return { ok: true as const, device: result.device, chain };
  }

  /** An official's browser: access token and DPoP proof in the offered subprotocols (CHAT_WS_DPOP_PROTOCOL). */
  private async authenticateDesktop(req: IncomingMessage) {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const after = (prefix: string) => offered.find((p) => p.startsWith(prefix))?.slice(prefix.length);
    const token = offered.includes(CHAT_WS_DPOP_PROTOCOL) ? after('token.') : undefined;
    const verifier = token ? this.tokenVerifier() : null;
    try {
      const desktop = verifier
        ? await desktopDevice(
            {
              authorization: `DPoP ${token}`,
              proof: after('dpop.'),
              method: 'GET',
              path: CHAT_WS_PATH,
              origins: this.dpop.origins,
            },
            { verifier, devices: this.devices, replay: this.dpop.replay },
          )
        : null;
      if (!desktop || !token) return { ok: false as const, status: 401, code: 'device_certificate_required' };
      return { ok: true as const, ...desktop, token };
    } catch (err) {
      if (err instanceof AppError) return { ok: false as const, status: err.status, code: err.code };
      throw err;
    }
  }

  /** Identity's token verifier (the guard's), found in the application: secure chat does not import identity. */
  private tokenVerifier(): TokenVerifier | null {
    try {
      return this.moduleRef?.get<TokenVerifier>(TOKEN_VERIFIER, { strict: false }) ?? null;
    } catch {
      return null;
    }
  }

  /** The calls module's signalling (absent when calls are not configured), found in the application. */
  private signalling(): CallSignalling | null {
    try {
      return this.moduleRef?.get<CallSignalling>(CALL_SIGNALLING, { strict: false }) ?? null;
    } catch {
      return null;
    }
  }

  /** `token`: a desktop's access token, checked again at each ping (the socket ends with the sign-in). */
  private open(ws: WebSocket, device: DevicePrincipal, chain: Uint8Array[], token?: string): void {
    const session = new ChatSession(ws, device, this.delivery, this.logger);
    const remove = this.hub.add(session);
    let alive = true;
    const timer = setInterval(() => {
      if (!alive) return void ws.terminate();
      alive = false;
      ws.ping();
      // In a cluster, wakes from other nodes are transient and may be lost where no reconnect says so (a peer's
      // dead link, a broken route between NATS servers): the socket reads its queue at each ping all the same.
      if (this.hub.relay) session.wake();
      // The certificate may have been revoked since the upgrade: checked again at each ping.
      this.devices
        ?.authenticate(chain)
        .then((r) => {
          if (!r.ok) session.close(4403, 'device certificate refused');
        })
        .catch(() => undefined);
      if (token)
        void this.tokenVerifier()
          ?.verify(token)
          .then((p) => {
            if (!p) session.close(4401, 'access token expired or revoked: sign in again');
          })
          .catch(() => undefined);
    }, this.config.wsPingSeconds * 1000);
    timer.unref();
    ws.on('pong', () => (alive = true));
    ws.on('message', (data, isBinary) => void this.frame(session, device, data, isBinary));
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearInterval(timer);
      remove();
    });
    session.wake();
    // A device that connects (e.g. after a check-in push) is told of the calls ringing it.
    void this.signalling()
      ?.ringing(device)
      .then((frames) => frames.forEach((f) => session.send(f)))
      .catch((err: unknown) => this.logger?.warn({ err }, 'chat socket: pending rings not read'));
  }

  private async frame(session: ChatSession, device: DevicePrincipal, data: unknown, isBinary: boolean) {
    const bytes = Buffer.isBuffer(data) ? data.length : (data as Buffer[]).reduce((n, b) => n + b.length, 0);
    const over = this.flood.socketFrame(device.deviceId, bytes);
    if (over !== null) {
      // A device that goes on flooding after the error is cut off (it reconnects with a fresh socket).
      if (++session.dropped > this.config.wsFramesPerSecond * 4) return session.close(1008, 'rate limit');
      if (session.dropped > 1) return;
      return session.send({ type: 'error', code: 'chat_rate_limited', message: over });
    }
    session.dropped = 0;
    const text = isBinary
      ? null
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.concat(data as Buffer[]).toString('utf8');
    const parsed =
      text === null ? { ok: false as const, message: 'Send JSON text frames.' } : parseClientFrame(text);
    if (!parsed.ok)
      return session.send({
        type: 'error',
        id: parsed.id,
        code: 'invalid_chat_input',
        message: parsed.message,
      });
    const frame: ClientFrame = parsed.frame;
    const id = frame.type === 'ack' ? undefined : frame.id;
    try {
      if (frame.type.startsWith('call-')) {
        const signalling = this.signalling();
        if (!signalling)
          return session.send({
            type: 'error',
            id,
            code: 'calls_unavailable',
            message: 'Calls are not configured on this server.',
          });
        const result = await signalling.frame(device, frame as Parameters<CallSignalling['frame']>[1]);
        return session.send({ type: 'result', id: id!, result });
      }
      if (frame.type === 'ack') {
        const { removed } = await this.delivery.ack(device, frame.upTo);
        // Answered only when asked: an `acked` frame per ack would be a fifth frame per message.
        if (frame.reply) session.send({ type: 'acked', upTo: frame.upTo, removed });
        return;
      }
      if (frame.type !== 'send' && frame.type !== 'commit') return;
      const result =
        frame.type === 'send'
          ? await this.delivery.send(device, frame.groupId, {
              message: fromB64u(frame.message, MLS_LIMITS.maxMessageBytes, 'message'),
              clientId: frame.clientId,
            })
          : await this.groups.commit(device, frame.groupId, {
              commit: fromB64u(frame.commit, MLS_LIMITS.maxMessageBytes, 'commit'),
              groupInfo: fromB64u(frame.groupInfo, MLS_LIMITS.maxGroupInfoBytes, 'groupInfo'),
              ...(frame.welcome
                ? { welcome: fromB64u(frame.welcome, MLS_LIMITS.maxWelcomeBytes, 'welcome') }
                : {}),
              clientId: frame.clientId,
            });
      session.send({ type: 'result', id: id!, result });
    } catch (err) {
      if (err instanceof AppError)
        return session.send({
          type: 'error',
          id,
          code: err.code,
          message: err.message,
          details: err.details,
        });
      if (isDatabaseUnavailable(err))
        // E.g. every pooled connection busy past the pool's timeout: the client retries (same clientId).
        return session.send({
          type: 'error',
          id,
          code: 'database_unavailable',
          message: 'The database is busy or unavailable; retry shortly with the same clientId.',
          details: { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
        });
      this.logger?.error({ err, deviceId: device.deviceId }, 'chat socket: frame failed');
      session.send({ type: 'error', id, code: 'internal_error', message: 'The server failed; retry later.' });
    }
  }

  onModuleDestroy(): void {
    this.wss.close();
  }
}

function refuse(socket: Duplex, status: number, code: string): void {
  const body = JSON.stringify({ code });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error'}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
