// The chat WebSocket: opening it (the device certificate on the TLS session, or a desktop device's DPoP proof
// and token), and opening it again with backoff when it closes, until close(). Kept apart from chat-client.ts
// (its size); what arrives on the socket is the client's to apply.
import WebSocket from 'ws';
import type { ChatClientOptions } from './chat-client-options.js';
import { dpopWsProtocols } from './desktop-device.js';
import { chatRoutes, frameText } from './chat-wire.js';

const noop = () => undefined;

const WS_MAX = 2 * 1024 * 1024;
/** The close code of a device's oldest socket when it opens a third (docs/secure-chat.md, "Limits"). */
const SOCKET_REPLACED = 4409;

/** What the client does with its socket: catch up once it opened, take text frames, note that it closed. */
export type ConnectionEvents = {
  /** The socket opened: what was queued while the device was away is fetched before live deliveries. */
  opened(): Promise<void>;
  text(frame: string): void;
  closed(): void;
};

export class ChatConnection {
  private ws: WebSocket | null = null;
  private closed = false;
  /** Counts start() and close() calls: a proof or a timer of an earlier one must not open a socket. */
  private session = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly o: Pick<
      ChatClientOptions,
      'baseUrl' | 'tls' | 'desktop' | 'onReconnectError' | 'onReplaced'
    >,
    private readonly on: ConnectionEvents,
  ) {}

  /** Sends a frame if the socket is open; false if not (the caller falls back to HTTP, or drops it). */
  send(frame: object): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Opens the socket; resolves once it opened and the client caught up. Reconnects until close(). */
  start(): Promise<void> {
    this.closed = false;
    this.session++;
    return new Promise<void>((resolve, reject) => this.connect(resolve, reject, 0));
  }

  close(): void {
    this.closed = true;
    this.session++;
    clearTimeout(this.retry);
    this.ws?.close();
  }

  private connect(opened: () => void, failed: (e: Error) => void, attempt: number): void {
    const url = new URL(chatRoutes.ws(), this.o.baseUrl.replace(/^http/, 'ws'));
    const { desktop } = this.o;
    const session = this.session;
    if (!desktop) return this.connected(new WebSocket(url, this.wsTls()), opened, failed, attempt);
    // A reconnect whose proof fails to build (the token or the WebCrypto key unusable for now) is tried again
    // as a socket that failed is, not given up for good: the first attempt's failure is start()'s to report.
    const unproved = (e: Error) => {
      if (attempt === 0) return failed(e);
      this.reconnect(attempt);
      try {
        this.o.onReconnectError?.(e);
      } catch {
        // the application's handler: its failure must not stop the reconnects
      }
    };
    new Promise<string[]>((proved) =>
      proved(dpopWsProtocols(desktop.identity, url.href, desktop.accessToken())),
    ).then((protocols) => {
      // close() (and perhaps start() again) while the proof was being built: this attempt opens no socket.
      if (this.closed || session !== this.session)
        return failed(new Error('the chat client was closed while it connected'));
      this.connected(new WebSocket(url, protocols, { maxPayload: WS_MAX }), opened, failed, attempt);
    }, unproved);
  }

  /** Connects again after a backoff that doubles with each failed attempt (to 30 s, jittered), until close(). */
  private reconnect(attempt: number): void {
    if (this.closed) return;
    const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => !this.closed && this.connect(noop, noop, attempt + 1), delay);
  }

  private wsTls() {
    const { certPem, keyPem, caPems } = this.o.tls;
    return { cert: certPem, key: keyPem, ca: [...caPems], maxPayload: WS_MAX };
  }

  private connected(ws: WebSocket, opened: () => void, failed: (e: Error) => void, attempt: number): void {
    this.ws = ws;
    let open = false;
    ws.on('open', () => {
      open = true;
      attempt = 0;
      this.on.opened().then(opened, opened);
    });
    ws.on('message', (data: unknown, isBinary: boolean) => {
      if (isBinary) return;
      this.on.text(frameText(data));
    });
    ws.on('error', (e) => {
      if (!open && attempt === 0) {
        this.closed = true; // the first connection failed: the caller decides whether to try again
        failed(e);
      }
    });
    ws.on('close', (code: number) => {
      // A socket replaced by a later start() is not this client's to report or reconnect.
      if (this.ws !== ws) return;
      this.ws = null;
      this.on.closed();
      // The server keeps two sockets a device: a third of this device opened elsewhere (another tab of the
      // same browser profile, say) and this one, the oldest, was closed for it. Reconnecting would close the
      // next one, and so on round the devices' sockets: this client stops and tells the application.
      if (code === SOCKET_REPLACED) {
        this.closed = true;
        return this.o.onReplaced?.();
      }
      this.reconnect(attempt);
    });
  }
}
