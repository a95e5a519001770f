import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * The chat bench's transport floor, in a process of its own so that its CPU is measured apart: the chat
 * protocol's four frames of a 1:1 message over the same mutual-TLS WebSockets as the delivery service — `send`
 * read, `result` to the sender, `deliver` to the receiver, `ack` read — and nothing else (no database, no
 * checks, no queue, nothing kept), written as the server's sockets are (Node's TLS, `ws`, a socket's frames of
 * a turn in one write): about the least a server of this protocol spends on this machine. The bench runs it
 * with the same devices as the server (chat-transport-floor.ts), in a process of its own
 * (chat-relay-floor-process.ts).
 */
/** A 1:1 group's receiver, by the SHA-256 fingerprint of its device certificate (as `getPeerCertificate`). */
export type RelayRoute = { groupId: string; receiver: string; senderDevice: string };
export type RelayStart = { certPem: string; keyPem: string; routes: RelayRoute[] };

/** What one client frame makes the relay write: frames for the sender, and one for the receiver's socket. */
export type Relayed = { reply?: string; deliver?: { to: string; frame: string } };

/**
 * The relay's core: a client frame in, the frames it causes out. A `send` is answered as the delivery service
 * answers it and delivered with the next seq of its receiver; an `ack` causes nothing; anything else gets an
 * error frame.
 */
export class FloorRelay {
  private readonly routes: Map<string, RelayRoute>;
  private readonly seqs = new Map<string, number>();

  constructor(routes: readonly RelayRoute[]) {
    this.routes = new Map(routes.map((r) => [r.groupId, r]));
  }

  frame(text: string): Relayed {
    const f = JSON.parse(text) as { type?: string; id?: string; groupId?: string; message?: string };
    if (f.type === 'ack') return {};
    const route = f.type === 'send' && f.groupId !== undefined ? this.routes.get(f.groupId) : undefined;
    if (!route || typeof f.message !== 'string')
      return {
        reply: JSON.stringify({ type: 'error', id: f.id, code: 'not_relayed', message: 'not relayed' }),
      };
    const seq = (this.seqs.get(route.receiver) ?? 0) + 1;
    this.seqs.set(route.receiver, seq);
    const envelope = {
      seq,
      groupId: route.groupId,
      senderDevice: route.senderDevice,
      kind: 'application',
      body: f.message,
      at: new Date().toISOString(),
    };
    return {
      reply: JSON.stringify({
        type: 'result',
        id: f.id,
        result: { groupId: route.groupId, epoch: '1', recipients: 1 },
      }),
      deliver: { to: route.receiver, frame: JSON.stringify({ type: 'deliver', envelopes: [envelope] }) },
    };
  }
}

/** Listens on a free loopback port (returned) until the process exits. */
export async function startFloorRelay(m: RelayStart): Promise<number> {
  const relay = new FloorRelay(m.routes);
  const sockets = new Map<string, WebSocket>();
  // The client certificate is requested as the device port requests it; its chain is not checked (a handshake
  // cost, not a message's).
  const server = createServer({
    cert: m.certPem,
    key: m.keyPem,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3', // as the device port
  });
  const send = endOfTurnWrites();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 4 * 1024 * 1024 });
  wss.on('connection', (ws, req) => {
    const fingerprint = (req.socket as TLSSocket).getPeerCertificate().fingerprint256;
    sockets.set(fingerprint, ws);
    ws.on('close', () => sockets.get(fingerprint) === ws && sockets.delete(fingerprint));
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      const out = relay.frame(data.toString('utf8'));
      if (out.reply) send(ws, out.reply);
      const to = out.deliver && sockets.get(out.deliver.to);
      if (to) send(to, out.deliver!.frame);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/**
 * Writes as the delivery service's sessions do (chat-session.ts): a socket's frames of one event-loop turn
 * go out together at its end, corked into one write.
 */
function endOfTurnWrites(): (ws: WebSocket, frame: string) => void {
  const waiting = new Map<WebSocket, string[]>();
  const flush = () => {
    for (const [ws, frames] of waiting) {
      const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      socket?.cork();
      for (const f of frames) ws.send(f);
      socket?.uncork();
    }
    waiting.clear();
  };
  return (ws, frame) => {
    const frames = waiting.get(ws);
    if (frames) return void frames.push(frame);
    if (waiting.size === 0) setImmediate(flush);
    waiting.set(ws, [frame]);
  };
}
