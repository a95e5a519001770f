import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { decodeStun, MAX_STUN_BYTES, StunError, type StunMessage } from './stun-message.js';

export type StunReply = { raw: Buffer; message: StunMessage; rttMs: number };

/** RFC 8489 §6.2.1: the first retransmission after RTO (500 ms), each next one after twice as long. */
const RTO_MS = 500;

/**
 * A tiny STUN client over one UDP socket (one 5-tuple, as a TURN allocation needs): `request` sends a message
 * and resolves with the first datagram from the server that decodes as STUN with the same transaction id
 * (anything else — other sources, other transactions, non-STUN — is ignored), retransmitting until
 * `timeoutMs`. Datagrams longer than MAX_STUN_BYTES are dropped unread.
 */
export type StunClient = {
  request(encode: (transactionId: Buffer) => Buffer, timeoutMs: number): Promise<StunReply>;
  close(): void;
};

export type ResolvedAddress = { address: string; family: number };

/**
 * Every address of `host` (A and AAAA, as the resolver orders them). A lookup slower than `timeoutMs` fails:
 * one slow DNS server must not stall a round that probes every server at once.
 */
export async function resolveHost(
  host: string,
  timeoutMs: number,
  lookupAll: (host: string) => Promise<ResolvedAddress[]> = (h) => lookup(h, { all: true }),
): Promise<ResolvedAddress[]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StunError(`no DNS answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([lookupAll(host), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function openStunClient(
  { address, family }: ResolvedAddress,
  port: number,
): Promise<StunClient> {
  const socket: Socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const waiting = new Map<string, (raw: Buffer, message: StunMessage) => void>();
  socket.on('message', (raw, from) => {
    if (from.address !== address || from.port !== port || raw.length > MAX_STUN_BYTES) return;
    let message: StunMessage;
    try {
      message = decodeStun(raw);
    } catch {
      return;
    }
    waiting.get(message.transactionId.toString('hex'))?.(raw, message);
  });
  // An ICMP port unreachable surfaces as an error on a connected socket only; requests then time out.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('error', failed);
    socket.bind(0, () => {
      socket.off('error', failed);
      resolve();
    });
  });
  let closed = false;
  return {
    request: (encode, timeoutMs) =>
      new Promise<StunReply>((resolve, reject) => {
        if (closed) return reject(new StunError('client closed'));
        const transactionId = randomBytes(12);
        const key = transactionId.toString('hex');
        const packet = encode(transactionId);
        const started = performance.now();
        let rto = RTO_MS;
        let retransmit: NodeJS.Timeout | undefined;
        const send = () => {
          socket.send(packet, port, address, () => undefined);
          retransmit = setTimeout(send, rto);
          rto *= 2;
        };
        const done = () => {
          clearTimeout(retransmit);
          clearTimeout(deadline);
          waiting.delete(key);
        };
        const deadline = setTimeout(() => {
          done();
          reject(new StunError(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(key, (raw, message) => {
          done();
          resolve({ raw, message, rttMs: Math.round(performance.now() - started) });
        });
        send();
      }),
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
