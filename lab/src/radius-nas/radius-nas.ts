import { timingSafeEqual } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  computeMessageAuthenticator,
  computeResponseAuthenticator,
  decodeRadius,
  encodeRequest,
  type EncodeRequestInput,
  type RadiusPacket,
} from '@pakawaaz/radius';
import type { EapAkaPeerState } from '../sim-peer/eap-aka-peer.js';
import { runEapAka, type EapAkaOverRadius } from './nas-eap.js';

/**
 * A small NAS (an access point or VPN concentrator's RADIUS client) over node:dgram, built on identity's
 * request encoder: Message-Authenticator on every request, retransmission of the same bytes on timeout
 * (RFC 5080 §2.2.1, so the server's duplicate cache answers it), and a reply is believed only when its
 * Response Authenticator and Message-Authenticator verify; anything else is dropped silently and counted.
 */

export type NasAttribute = EncodeRequestInput['attributes'][number];

export type NasOptions = {
  readonly host: string;
  readonly authPort: number;
  readonly acctPort: number;
  readonly secret: string | Buffer;
  /** Per try; default 2,000 ms. */
  readonly timeoutMs?: number;
  /** Retransmissions after the first try; default 2. */
  readonly retries?: number;
};

export type NasStats = {
  requests: number;
  retransmissions: number;
  timeouts: number;
  /** Datagrams dropped: unknown identifier, wrong code, or an authenticator that did not verify. */
  badReplies: number;
};

export type NasReply = {
  readonly packet: RadiusPacket;
  /** The Request Authenticator the reply was checked against (MPPE keys are hidden with it). */
  readonly requestAuthenticator: Buffer;
  readonly tries: number;
};

export type Nas = {
  accessRequest(attributes: readonly NasAttribute[]): Promise<NasReply>;
  accounting(attributes: readonly NasAttribute[]): Promise<NasReply>;
  /** A full EAP-AKA / AKA' authentication with this peer, Access-Challenge by Access-Challenge. */
  eapAka(peer: EapAkaPeerState, attributes?: readonly NasAttribute[]): Promise<EapAkaOverRadius>;
  stats(): NasStats;
  close(): Promise<void>;
};

export class NasTimeoutError extends Error {
  override readonly name = 'NasTimeoutError';
}

type Pending = {
  readonly port: number;
  readonly codes: readonly RadiusPacket['code'][];
  readonly authenticator: Buffer;
  readonly accounting: boolean;
  readonly resolve: (packet: RadiusPacket) => void;
};

const ACCESS_REPLIES = ['Access-Accept', 'Access-Reject', 'Access-Challenge'] as const;
const MESSAGE_AUTHENTICATOR = 80;
const same = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/**
 * Response Authenticator (RFC 2865 §3) and Message-Authenticator (RFC 3579 §3.2), which every access reply
 * must carry (Blast-RADIUS); an Accounting-Response's is keyed with 16 zero octets as FreeRADIUS does.
 */
export function replyVerifies(
  packet: RadiusPacket,
  expected: Pick<Pending, 'authenticator' | 'accounting'>,
  secret: Buffer,
): boolean {
  const response = computeResponseAuthenticator(packet.bytes, expected.authenticator, secret);
  if (!same(response, packet.authenticator)) return false;
  const ma = packet.attributes.filter((a) => a.type === MESSAGE_AUTHENTICATOR);
  if (ma.length === 0) return expected.accounting;
  if (ma.length > 1 || !ma[0]) return false;
  const field = expected.accounting ? Buffer.alloc(16) : expected.authenticator;
  return same(computeMessageAuthenticator(packet.bytes, ma[0].offset + 2, field, secret), ma[0].value);
}

/** Hands out RADIUS identifiers (one octet) so that no two requests in flight share one. */
function identifiers() {
  const free = Array.from({ length: 256 }, (_, i) => i);
  const waiting: ((id: number) => void)[] = [];
  return {
    take: (): Promise<number> => {
      const id = free.shift();
      return id === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(id);
    },
    give: (id: number): void => {
      const next = waiting.shift();
      if (next) next(id);
      else free.push(id);
    },
  };
}

function bind(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

type Transport = {
  readonly socket: Socket;
  readonly secret: Buffer;
  readonly options: NasOptions;
  readonly ids: ReturnType<typeof identifiers>;
  readonly pending: Map<number, Pending>;
  readonly stats: NasStats;
};

/** Routes each datagram to the request it answers if it verifies; any other datagram is counted and dropped. */
function listen(t: Transport): void {
  // Without a listener an 'error' event would end the process; a lost datagram is what retries are for.
  t.socket.on('error', () => undefined);
  t.socket.on('message', (datagram, remote) => {
    const packet = decodeRadius(datagram);
    const expected = packet.kind === 'packet' ? t.pending.get(packet.identifier) : undefined;
    if (
      packet.kind === 'packet' &&
      expected !== undefined &&
      remote.port === expected.port &&
      expected.codes.includes(packet.code) &&
      replyVerifies(packet, expected, t.secret)
    )
      expected.resolve(packet);
    else t.stats.badReplies++;
  });
}

type Request = Omit<Pending, 'resolve'> & { readonly identifier: number; readonly bytes: Buffer };

/** Sends the same bytes up to 1 + retries times, `timeoutMs` apart, until a verified reply arrives. */
function awaitReply(t: Transport, request: Request): Promise<{ packet: RadiusPacket; tries: number }> {
  const { timeoutMs = 2_000, retries = 2, host } = t.options;
  return new Promise((resolve, reject) => {
    let tries = 0;
    let timer: NodeJS.Timeout | undefined;
    const attempt = (): void => {
      if (tries > retries) return reject(new NasTimeoutError(`no valid reply after ${tries} tries`));
      if (tries++ > 0) t.stats.retransmissions++;
      t.socket.send(request.bytes, request.port, host);
      timer = setTimeout(attempt, timeoutMs);
    };
    const done = (packet: RadiusPacket): void => {
      clearTimeout(timer);
      resolve({ packet, tries });
    };
    t.pending.set(request.identifier, { ...request, resolve: done });
    attempt();
  });
}

async function exchange(
  t: Transport,
  code: 'Access-Request' | 'Accounting-Request',
  attributes: readonly NasAttribute[],
): Promise<NasReply> {
  const identifier = await t.ids.take();
  const accounting = code === 'Accounting-Request';
  const port = accounting ? t.options.acctPort : t.options.authPort;
  const bytes = encodeRequest({ code, identifier, secret: t.secret, attributes });
  const authenticator = Buffer.from(bytes.subarray(4, 20));
  const codes = accounting ? (['Accounting-Response'] as const) : ACCESS_REPLIES;
  t.stats.requests++;
  try {
    const { packet, tries } = await awaitReply(t, {
      identifier,
      bytes,
      port,
      codes,
      authenticator,
      accounting,
    });
    return { packet, requestAuthenticator: authenticator, tries };
  } catch (error) {
    if (error instanceof NasTimeoutError) t.stats.timeouts++;
    throw error;
  } finally {
    t.pending.delete(identifier);
    t.ids.give(identifier);
  }
}

export async function createNas(options: NasOptions): Promise<Nas> {
  const t: Transport = {
    socket: await bind(),
    secret: Buffer.from(options.secret),
    options,
    ids: identifiers(),
    pending: new Map(),
    stats: { requests: 0, retransmissions: 0, timeouts: 0, badReplies: 0 },
  };
  listen(t);
  const nas: Nas = {
    accessRequest: (attributes) => exchange(t, 'Access-Request', attributes),
    accounting: (attributes) => exchange(t, 'Accounting-Request', attributes),
    eapAka: (peer, attributes = []) => runEapAka(nas, t.secret, peer, attributes),
    stats: () => ({ ...t.stats }),
    close: () => new Promise<void>((resolve) => t.socket.close(() => resolve())),
  };
  return nas;
}
