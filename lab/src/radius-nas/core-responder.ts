import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  decodeEap,
  EAP_AKA_DECOY_RANDOM_BYTES,
  EapCodecError,
  receiveEapAka,
  startEapAka,
  supplyVector,
  type EapAkaMethod,
  type EapAkaServerState,
  type EapAkaStep,
} from '@pakawaaz/eap-aka';
import type { AkaVector } from '@pakawaaz/milenage';
import {
  decodeRadius,
  encodeReply,
  mppeKeysFromMsk,
  readAccessRequest,
  readAccountingRequest,
  verifyRequest,
  type AccountingRequestAttributes,
  type RadiusAttribute,
  type RadiusPacket,
  type RadiusReplyCode,
} from '@pakawaaz/radius';

/**
 * A RADIUS server made only of the protocol cores identity's server is built on — @pakawaaz/radius
 * (framing, Blast-RADIUS-safe verification, encoding, MPPE keys) and @pakawaaz/eap-aka's server reducer —
 * over an in-memory vector source: no policy, no database, no identity internals. The lab's NAS and
 * EAP-AKA peer are unit-tested against it; against identity's real server they run in lab/test/e2e.
 * PAP accepts the users named in `papUsers`, whatever their password.
 */
export type CoreVectors = {
  vector(imsi: string): AkaVector | null;
  /** True when the AUTS verified and the SQN moved on. */
  resynchronise(imsi: string, rand: Buffer, auts: Buffer): boolean;
};

export type CoreResponderOptions = {
  readonly host: string;
  readonly secret: string;
  readonly vectors: CoreVectors;
  readonly papUsers?: readonly string[];
  /** EAP-AKA' access network name (RFC 9048 §3.1). */
  readonly networkName?: string;
};

export type CoreResponder = {
  readonly port: number;
  /** What each Accounting-Request carried, in arrival order. */
  readonly accounting: readonly AccountingRequestAttributes[];
  /** `requests`: datagrams handled; `duplicates`: identical datagrams answered from the cache or ignored. */
  stats(): { requests: number; duplicates: number };
  /** Holds the answer to the next request back this long (so a NAS retransmits). */
  delayNext(ms: number): void;
  close(): Promise<void>;
};

/** Cache of answers by request bytes: a retransmission is the same datagram (RFC 5080 §2.2.2). */
const MAX_CACHED = 10_000;

export async function startCoreResponder(options: CoreResponderOptions): Promise<CoreResponder> {
  const secret = Buffer.from(options.secret);
  const answer = answerer(options, secret);
  const accounting: AccountingRequestAttributes[] = [];
  const answered = new Map<string, Buffer | null | 'in-flight'>();
  const counts = { requests: 0, duplicates: 0 };
  let delay = 0;
  const socket = createSocket('udp4');
  socket.on('message', (datagram, remote) => {
    const key = datagram.toString('base64');
    const cached = answered.get(key);
    if (cached !== undefined) {
      counts.duplicates++;
      if (cached instanceof Buffer) socket.send(cached, remote.port, remote.address);
      return;
    }
    if (answered.size >= MAX_CACHED) answered.clear();
    answered.set(key, 'in-flight');
    counts.requests++;
    const wait = delay;
    delay = 0;
    setTimeout(() => {
      const reply = answer(datagram, accounting);
      answered.set(key, reply);
      if (reply) socket.send(reply, remote.port, remote.address);
    }, wait);
  });
  await new Promise<void>((resolve) => socket.bind(0, options.host, resolve));
  return {
    port: socket.address().port,
    accounting,
    stats: () => ({ ...counts }),
    delayNext: (ms) => void (delay = ms),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answerer(options: CoreResponderOptions, secret: Buffer) {
  const conversations = new Map<string, EapAkaServerState>();
  const reply = (request: RadiusPacket, code: RadiusReplyCode, attributes: RadiusAttribute[]) =>
    encodeReply({
      code,
      identifier: request.identifier,
      requestAuthenticator: request.authenticator,
      secret,
      attributes,
    });

  /** Runs the reducer's vector effects until it has something to send, or has ended. */
  const drive = (step: EapAkaStep): EapAkaStep => {
    const { vectors } = options;
    let current = step;
    for (let round = 0; round < 3; round++) {
      const { effect } = current;
      if (effect.kind === 'need-vector') {
        current = supplyVector(current.state, vectors.vector(effect.imsi), decoy());
      } else if (effect.kind === 'resync') {
        const ok = vectors.resynchronise(effect.imsi, effect.rand, effect.auts);
        current = supplyVector(current.state, ok ? vectors.vector(effect.imsi) : null, decoy());
      } else return current;
    }
    throw new Error('EAP-AKA server asked for vectors in a loop');
  };

  const begin = (eap: Buffer): EapAkaStep | null => {
    const { packet } = decodeEap(eap);
    if (packet.code !== 'response' || packet.body.type !== 'identity') return null;
    const identity = packet.body.data;
    // A leading 6, 7 or 8 asks for EAP-AKA' (RFC 9048 §3).
    const method: EapAkaMethod = /^[678]/.test(identity.toString('latin1')) ? 'aka-prime' : 'aka';
    const config =
      method === 'aka-prime' ? { method, networkName: options.networkName ?? 'WLAN' } : { method };
    return drive(startEapAka(config, { identifier: packet.identifier, identity }));
  };

  const eapReply = (request: RadiusPacket, step: EapAkaStep): Buffer | null => {
    const { effect } = step;
    const message = (packet: Buffer): RadiusAttribute => ({ type: 'EAP-Message', value: packet });
    switch (effect.kind) {
      case 'send': {
        const state = randomBytes(16);
        conversations.set(state.toString('hex'), step.state);
        return reply(request, 'Access-Challenge', [message(effect.packet), { type: 'State', value: state }]);
      }
      case 'success': {
        const { recvKey, sendKey } = mppeKeysFromMsk(effect.msk);
        return reply(request, 'Access-Accept', [
          message(effect.packet),
          { type: 'MS-MPPE-Recv-Key', key: recvKey },
          { type: 'MS-MPPE-Send-Key', key: sendKey },
        ]);
      }
      case 'failure':
        return reply(request, 'Access-Reject', [message(effect.packet)]);
      case 'discard':
      case 'need-vector':
      case 'resync':
      case 'lookup':
        return null;
    }
  };

  const access = (request: RadiusPacket): Buffer | null => {
    const { userName, eapMessage, state } = readAccessRequest(request, secret);
    if (!eapMessage) {
      const known = userName !== undefined && (options.papUsers ?? []).includes(userName);
      return reply(request, known ? 'Access-Accept' : 'Access-Reject', []);
    }
    const key = state?.toString('hex');
    const conversation = key === undefined ? undefined : conversations.get(key);
    if (key !== undefined) conversations.delete(key);
    if (state && !conversation) return reply(request, 'Access-Reject', []);
    try {
      const step = conversation ? drive(receiveEapAka(conversation, eapMessage)) : begin(eapMessage);
      // A stale or duplicate EAP response is ignored and the conversation goes on (RFC 3748 §4.1).
      if (key !== undefined && step?.effect.kind === 'discard') conversations.set(key, step.state);
      return step ? eapReply(request, step) : null;
    } catch (err) {
      if (err instanceof EapCodecError) return null;
      throw err;
    }
  };

  return (datagram: Buffer, accounting: AccountingRequestAttributes[]): Buffer | null => {
    const decoded = decodeRadius(datagram);
    if (decoded.kind !== 'packet') return null;
    const verified = verifyRequest(decoded, secret);
    if (verified.kind !== 'verified') return null;
    if (verified.code === 'Accounting-Request') {
      accounting.push(readAccountingRequest(verified.packet));
      return reply(verified.packet, 'Accounting-Response', []);
    }
    return verified.code === 'Access-Request' ? access(verified.packet) : null;
  };
}

const decoy = () => randomBytes(EAP_AKA_DECOY_RANDOM_BYTES);
