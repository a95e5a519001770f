import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import {
  attributeBytes,
  computeMessageAuthenticator,
  computeResponseAuthenticator,
  decodeRadius,
  eapMessage,
  type RadiusPacket,
} from '@pakawaaz/radius';

/**
 * The benchmarks' baseline RADIUS server: no policy, no EAP, no database. An Access-Request without State
 * gets an Access-Challenge (the request's EAP-Message echoed, a fresh State); one with State gets an
 * Access-Accept. Both are signed exactly as a real server signs them (Message-Authenticator first, then the
 * Response Authenticator), so the lab's NAS verifies them the same way and the difference to the real
 * server is the cost of EAP-AKA, Milenage and the SQN/ownership queries.
 */

export type EchoResponder = { readonly port: number; close(): Promise<void> };

const CODES = { 'Access-Accept': 2, 'Access-Challenge': 11 } as const;
const TYPES = { 'EAP-Message': 79, 'Message-Authenticator': 80, State: 24 } as const;

function tlv(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

/**
 * A reply to `request`: Message-Authenticator first (RFC 3579 §3.2), then the Response Authenticator
 * (RFC 2865 §3).
 */
export function signedReply(
  request: RadiusPacket,
  code: keyof typeof CODES,
  attributes: readonly Buffer[],
  secret: Buffer,
): Buffer {
  const parts = [tlv(TYPES['Message-Authenticator'], Buffer.alloc(16)), ...attributes];
  const length = 20 + parts.reduce((n, p) => n + p.length, 0);
  const header = Buffer.from([CODES[code], request.identifier, length >> 8, length & 0xff]);
  const bytes = Buffer.concat([header, request.authenticator, ...parts]);
  computeMessageAuthenticator(bytes, 22, request.authenticator, secret).copy(bytes, 22);
  computeResponseAuthenticator(bytes, request.authenticator, secret).copy(bytes, 4);
  return bytes;
}

function answer(request: RadiusPacket, secret: Buffer): Buffer | null {
  if (request.code !== 'Access-Request') return null;
  if (attributeBytes(request, 'State')) return signedReply(request, 'Access-Accept', [], secret);
  const eap = eapMessage(request)?.subarray(0, 253);
  const echo = eap && eap.length > 0 ? [tlv(TYPES['EAP-Message'], eap)] : [];
  return signedReply(request, 'Access-Challenge', [...echo, tlv(TYPES.State, randomBytes(16))], secret);
}

export async function startEchoResponder(options: {
  host: string;
  port: number;
  secret: string;
}): Promise<EchoResponder> {
  const secret = Buffer.from(options.secret);
  const socket: Socket = createSocket('udp4');
  socket.on('error', () => undefined);
  socket.on('message', (datagram, remote) => {
    const request = decodeRadius(datagram);
    const reply = request.kind === 'packet' ? answer(request, secret) : null;
    if (reply) socket.send(reply, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(options.port, options.host, resolve));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
