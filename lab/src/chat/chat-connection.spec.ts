import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { ChatConnection } from './chat-connection.js';
import type { DesktopIdentity } from './desktop-device.js';

// The desktop's proof of the socket, as the test decides: a proof may fail to build (a WebCrypto key not usable
// for a moment, say) without the server being at fault.
const proofs = vi.hoisted(() => ({ dpopWsProtocols: vi.fn<() => Promise<string[]>>() }));
vi.mock('./desktop-device.js', () => proofs);

describe('ChatConnection (desktop device)', () => {
  let server: WebSocketServer;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (ws) => sockets.push(ws));
    await new Promise((resolve) => server.once('listening', resolve));
    // The shortest backoff (half of each step): 250 ms, then 500 ms.
    vi.spyOn(Math, 'random').mockReturnValue(0);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    proofs.dpopWsProtocols.mockReset();
    sockets.length = 0;
    await new Promise((resolve) => server.close(resolve));
  });

  // The proof fails to build on the first reconnect: its signature (a rejection) or the token (a throw).
  it.each(['signature', 'token'] as const)(
    'retries a reconnect whose DPoP proof failed to build (its %s), with the backoff, and reports the failure',
    async (failing) => {
      const refused = new Error('the device key is not usable');
      proofs.dpopWsProtocols.mockResolvedValue(['pakawaaz.dpop']);
      if (failing === 'signature')
        proofs.dpopWsProtocols.mockResolvedValueOnce(['pakawaaz.dpop']).mockRejectedValueOnce(refused);
      let asked = 0;
      const accessToken = () => {
        if (failing === 'token' && ++asked === 2) throw refused; // asked again on the first reconnect
        return 'token';
      };
      const reported: Error[] = [];
      const opened = vi.fn(() => Promise.resolve());
      const { port } = server.address() as AddressInfo;
      const connection = new ChatConnection(
        {
          baseUrl: `http://127.0.0.1:${port}`,
          tls: { certPem: '', keyPem: '', caPems: [] },
          desktop: { identity: {} as DesktopIdentity, accessToken },
          onReconnectError: (e) => reported.push(e),
        },
        { opened, text: () => undefined, closed: () => undefined },
      );
      try {
        await connection.start();
        expect(sockets).toHaveLength(1);
        sockets[0]!.close(); // the server drops the socket: the client reconnects, and its first proof fails
        await vi.waitFor(() => expect(opened).toHaveBeenCalledTimes(2), { timeout: 3_000, interval: 50 });
        expect(proofs.dpopWsProtocols).toHaveBeenCalledTimes(failing === 'signature' ? 3 : 2);
        expect(sockets).toHaveLength(2);
        expect(reported).toEqual([refused]);
      } finally {
        connection.close();
      }
    },
  );

  it('does not reconnect a socket the server replaced by a newer one of the device (4409), and says so', async () => {
    proofs.dpopWsProtocols.mockResolvedValue(['pakawaaz.dpop']);
    const replaced = vi.fn();
    const closed = vi.fn();
    const { port } = server.address() as AddressInfo;
    const connection = new ChatConnection(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        tls: { certPem: '', keyPem: '', caPems: [] },
        desktop: { identity: {} as DesktopIdentity, accessToken: () => 'token' },
        onReplaced: replaced,
      },
      { opened: () => Promise.resolve(), text: () => undefined, closed },
    );
    try {
      await connection.start();
      sockets[0]!.close(4409, 'replaced by a newer socket of this device');
      await vi.waitFor(() => expect(replaced).toHaveBeenCalledTimes(1), { timeout: 3_000, interval: 20 });
      expect(closed).toHaveBeenCalledTimes(1);
      // Past the first reconnect's backoff (250 ms here): no second socket.
      await new Promise((r) => setTimeout(r, 700));
      expect(sockets).toHaveLength(1);
      // Taken back on purpose: start() opens a socket again.
      await connection.start();
      expect(sockets).toHaveLength(2);
    } finally {
      connection.close();
    }
  });

  it('opens no socket when closed while its proof was being built, and start() says so', async () => {
    let prove!: (protocols: string[]) => void;
    proofs.dpopWsProtocols.mockReturnValueOnce(new Promise((resolve) => (prove = resolve)));
    const { port } = server.address() as AddressInfo;
    const connection = new ChatConnection(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        tls: { certPem: '', keyPem: '', caPems: [] },
        desktop: { identity: {} as DesktopIdentity, accessToken: () => 'token' },
      },
      { opened: () => Promise.resolve(), text: () => undefined, closed: () => undefined },
    );
    const started = connection.start();
    await vi.waitFor(() => expect(proofs.dpopWsProtocols).toHaveBeenCalledTimes(1));
    connection.close();
    prove(['pakawaaz.dpop']);
    await expect(started).rejects.toThrow(/closed while it connected/);
    // A connection the client opened would have reached the server by now (the other cases see it at once).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sockets).toHaveLength(0);
  });
});
