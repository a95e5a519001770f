import { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueTestDevice, type TestCa } from '@pakawaaz/test-support';
import WebSocket from 'ws';
import { CHAT_WS_PATH, type ChatSocketServer } from '../../src/ws/chat-socket.server.js';
import type { TestDevice } from './mls-devices.js';

export type WsFrame = { type: string; [k: string]: unknown };

/** A device's socket in a test: every frame it got, and a wait for the next one matching. */
export class SocketProbe {
  readonly got: WsFrame[] = [];
  private readonly listeners = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.got.push(JSON.parse(data.toString()) as WsFrame);
      for (const l of this.listeners) l();
    });
  }

  /** The first frame not yet taken that matches (removed from `got`), within `ms`. */
  take(match: (f: WsFrame) => boolean, ms = 8000): Promise<WsFrame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.got.findIndex(match);
        if (i < 0) return false;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(this.got.splice(i, 1)[0]!);
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.got)}`));
      }, ms);
      if (!check()) this.listeners.add(check);
    });
  }

  /** The next frame of this type (and call, when given). */
  next(type: string, callId?: string, ms?: number): Promise<WsFrame> {
    return this.take((f) => f.type === type && (callId === undefined || f['callId'] === callId), ms);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
}

/** An HTTPS listener (mutual TLS under the test CA) handing its upgrades to the chat socket server. */
export async function serveChatSocket(ca: TestCa, sockets: ChatSocketServer) {
  const serverCert = await issueTestDevice(ca, { serial: '05', usage: 'server' });
  const caPem = ca.cert.toString('pem');
  const server: Server = createServer({
    cert: serverCert.cert.toString('pem'),
    key: KeyObject.from(serverCert.keys.privateKey).export({ type: 'pkcs8', format: 'pem' }),
    ca: caPem,
    requestCert: true,
    rejectUnauthorized: false,
  });
  server.on('upgrade', (req, socket, head) => {
    if (!sockets.handleUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}${CHAT_WS_PATH}`;
  return { url, caPem, close: () => new Promise((r) => server.close(r)) };
}

/** The chat socket served, and devices' sockets to it (SocketProbe). */
export async function listenChatSocket(ca: TestCa, sockets: ChatSocketServer) {
  const { url, caPem, close: stop } = await serveChatSocket(ca, sockets);
  const open: WebSocket[] = [];
  const connect = (device: TestDevice) =>
    new Promise<SocketProbe>((resolve, reject) => {
      const ws = new WebSocket(url, {
        ca: caPem,
        checkServerIdentity: (() => undefined) as unknown as () => boolean,
        ...device.tls,
      });
      open.push(ws);
      const probe = new SocketProbe(ws);
      ws.once('open', () => resolve(probe));
      ws.once('error', reject);
    });
  const close = async () => {
    for (const ws of open) ws.terminate();
    await stop();
  };
  return { connect, close };
}
