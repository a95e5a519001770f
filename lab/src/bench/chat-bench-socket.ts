import type { ClientTls } from '@pakawaaz/handset-simulator';
import { WebSocket } from 'ws';
import { chatRoutes } from '../chat/chat-wire.js';

/** What the load generator needs of a delivered envelope (it never decrypts: the server cannot either). */
export type DeliveredEnvelope = { seq: number; groupId: string; kind: string; body: string };

type Waiting = { resolve: (result: unknown) => void; reject: (e: Error) => void };

/**
 * How long a socket waits after a `deliver` frame before it acknowledges (BENCH_CHAT_ACK_MS; default 0: at the
 * end of the event-loop turn): the frames delivered meanwhile share one cumulative `ack upTo`, as the SDK's
 * frames applied together do.
 */
const ACK_DELAY_MS = Number(process.env.BENCH_CHAT_ACK_MS ?? 0);

/**
 * A device's chat WebSocket for the load generator: the device certificate on the TLS session, `send` frames
 * with their replies matched by frame id, and every `deliver` frame handed to `onDeliver` with the time it
 * arrived, then acknowledged (`ack upTo` its last seq, one ack for the frames of a turn), as a client that
 * stored it would. No MLS
 * here: the messages it sends were encrypted once, before the run, so the generator measures the server and
 * not its own crypto.
 */
export class BenchSocket {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  /** Highest seq delivered on this socket. */
  lastSeq = 0;
  private ackDue = false;
  onDeliver: (envelopes: readonly DeliveredEnvelope[], at: number) => void = () => undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) this.frame(data.toString('utf8'));
    });
    ws.on('close', () => this.failAll(new Error('socket closed')));
    ws.on('error', () => undefined);
  }

  static open(deviceUrl: string, tls: ClientTls): Promise<BenchSocket> {
    const url = new URL(chatRoutes.ws(), deviceUrl.replace(/^http/, 'ws'));
    const ws = new WebSocket(url, {
      cert: tls.certPem,
      key: tls.keyPem,
      ca: [...tls.caPems],
      maxPayload: 4 * 1024 * 1024,
      perMessageDeflate: false,
    });
    const socket = new BenchSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  /** `send {groupId, message, clientId}`: resolves with the server's result, rejects with its error code. */
  send(groupId: string, message: string, clientId: string): Promise<unknown> {
    const id = String(++this.nextId);
    return new Promise((resolve, reject) => {
      this.waiting.set(this.nextId, { resolve, reject });
      this.ws.send(JSON.stringify({ type: 'send', id, groupId, message, clientId }));
    });
  }

  close(): void {
    this.ws.close();
  }

  private frame(text: string): void {
    const f = JSON.parse(text) as {
      type: string;
      id?: string;
      result?: unknown;
      code?: string;
      envelopes?: DeliveredEnvelope[];
    };
    if (f.type === 'deliver' && f.envelopes?.length) {
      const at = performance.now();
      this.lastSeq = f.envelopes[f.envelopes.length - 1]!.seq;
      this.onDeliver(f.envelopes, at);
      if (this.ackDue) return;
      this.ackDue = true;
      const ack = () => {
        this.ackDue = false;
        if (this.ws.readyState === WebSocket.OPEN)
          this.ws.send(JSON.stringify({ type: 'ack', upTo: this.lastSeq }));
      };
      if (ACK_DELAY_MS > 0) setTimeout(ack, ACK_DELAY_MS);
      else setImmediate(ack);
    } else if (f.type === 'result' || f.type === 'error') {
      const w = f.id === undefined ? undefined : this.waiting.get(Number(f.id));
      if (!w) return;
      this.waiting.delete(Number(f.id));
      if (f.type === 'result') w.resolve(f.result);
      else w.reject(new Error(f.code ?? 'error'));
    }
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
