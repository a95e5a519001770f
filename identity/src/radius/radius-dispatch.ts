import {
  decodeRadius,
  encodeReply,
  RADIUS_DROP_REASONS,
  type RadiusAttribute,
  type RadiusReplyCode,
  type RadiusRequestCode,
  readAccessRequest,
  readAccountingRequest,
  type VerifiedRequest,
  verifyRequest,
} from '@pakawaaz/radius';
import type { RadiusDedupe } from './radius-dedupe.js';
import type {
  AccessDecision,
  RadiusClient,
  RadiusClientLookup,
  RadiusHandler,
  RadiusLogger,
  RadiusRequestOrigin,
} from './radius-handler.js';

/**
 * What happens to one datagram, without sockets: client lookup → framing → verification → duplicate
 * check → handler → reply bytes (or null: stay silent). Every failure is a counted, silent drop.
 */

export type RadiusPort = 'auth' | 'acct';

export const RADIUS_SERVER_DROP_REASONS = [
  ...RADIUS_DROP_REASONS,
  'unknown_client',
  'wrong_port',
  'overloaded',
  'handler_error',
  'encode_error',
  'internal_error',
] as const;
export type RadiusServerDropReason = (typeof RADIUS_SERVER_DROP_REASONS)[number];

export type RadiusServerStats = {
  received: number;
  accepted: number;
  rejected: number;
  challenged: number;
  /** Access-Requests the handler chose to leave unanswered. */
  discarded: number;
  accounting: number;
  statusServer: number;
  /** Retransmissions answered from the cache or ignored while the original was in flight. */
  duplicates: number;
  dropped: Record<RadiusServerDropReason, number>;
};

export type RadiusDropEvent = {
  readonly reason: RadiusServerDropReason;
  readonly address: string;
  readonly port: number;
  readonly clientId: string | null;
};

export type DispatchDependencies = {
  readonly clients: RadiusClientLookup;
  readonly handler: RadiusHandler;
  readonly dedupe: RadiusDedupe;
  readonly now: () => number;
  readonly maxInFlight: number;
  readonly logger: RadiusLogger | undefined;
  readonly onDrop: ((event: RadiusDropEvent) => void) | undefined;
};

export type Source = { readonly address: string; readonly port: number };

export const emptyStats = (): RadiusServerStats => ({
  received: 0,
  accepted: 0,
  rejected: 0,
  challenged: 0,
  discarded: 0,
  accounting: 0,
  statusServer: 0,
  duplicates: 0,
  dropped: Object.fromEntries(RADIUS_SERVER_DROP_REASONS.map((r) => [r, 0])) as Record<
    RadiusServerDropReason,
    number
  >,
});

/** Status-Server is answered on either port (RFC 5997); the other requests only on their own. */
const PORT_CODES = {
  auth: ['Access-Request', 'Status-Server'],
  acct: ['Accounting-Request', 'Status-Server'],
} as const satisfies Record<RadiusPort, readonly RadiusRequestCode[]>;

const DECISION_CODES = {
  accept: 'Access-Accept',
  reject: 'Access-Reject',
  challenge: 'Access-Challenge',
} as const satisfies Record<string, RadiusReplyCode>;

const DECISION_COUNTERS = { accept: 'accepted', reject: 'rejected', challenge: 'challenged' } as const;

/** The name of what was thrown, never its message: a handler's message may quote a user name or value. */
const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

type Request = {
  readonly verified: VerifiedRequest;
  readonly client: RadiusClient;
  readonly origin: RadiusRequestOrigin;
};

/** Processes datagrams; one instance per server, shared by both ports (one cache, one in-flight cap). */
export class RadiusDispatcher {
  private readonly counters = emptyStats();
  private inFlight = 0;

  constructor(private readonly deps: DispatchDependencies) {}

  /** Resolves to the reply to send, or null; never rejects. */
  handle(port: RadiusPort, datagram: Buffer, source: Source): Promise<Buffer | null> {
    return this.process(port, datagram, source).catch((error: unknown) => {
      this.deps.logger?.error({ error: errorName(error) }, 'RADIUS packet processing failed');
      return this.drop('internal_error', source, null);
    });
  }

  stats(): RadiusServerStats {
    return { ...this.counters, dropped: { ...this.counters.dropped } };
  }

  /** Async, but synchronous up to the duplicate check: two copies of a request cannot both be new. */
  private async process(port: RadiusPort, datagram: Buffer, source: Source): Promise<Buffer | null> {
    this.counters.received++;
    const client = this.deps.clients(source.address);
    // An empty secret authenticates nothing (RFC 2865 §3: it MUST NOT be empty): treat it as no client.
    if (!client || client.secret.length === 0) return this.drop('unknown_client', source, null);
    const packet = decodeRadius(datagram);
    if (packet.kind === 'drop') return this.drop(packet.reason, source, client.id);
    const verified = verifyRequest(packet, client.secret);
    if (verified.kind === 'drop') return this.drop(verified.reason, source, client.id);
    if (!(PORT_CODES[port] as readonly string[]).includes(verified.code)) {
      return this.drop('wrong_port', source, client.id);
    }
    const identity = { id: client.id, name: client.name };
    const origin = { client: identity, source, identifier: packet.identifier, packet };
    const request = { verified, client, origin };
    if (verified.code !== 'Status-Server') return this.deduplicated(request);
    // Status-Server is idempotent and cheap: answered at once, never cached, no handler involved.
    this.counters.statusServer++;
    return this.encode(request, port === 'auth' ? 'Access-Accept' : 'Accounting-Response', []);
  }

  /** Duplicates first, so that a retransmission is answered from the cache even under overload. */
  private async deduplicated(request: Request): Promise<Buffer | null> {
    const { packet } = request.verified;
    const { source, client } = request.origin;
    const { identifier, authenticator } = packet;
    const key = { clientId: client.id, ...source, identifier, authenticator };
    const seen = this.deps.dedupe.begin(key, this.deps.now());
    if (seen.kind !== 'new') {
      this.counters.duplicates++;
      return seen.kind === 'replay' ? seen.reply : null;
    }
    if (this.inFlight >= this.deps.maxInFlight) {
      this.deps.dedupe.complete(key, null, this.deps.now());
      return this.drop('overloaded', source, client.id);
    }
    const bytes = await this.run(request);
    this.deps.dedupe.complete(key, bytes, this.deps.now());
    return bytes;
  }

  private async run(request: Request): Promise<Buffer | null> {
    this.inFlight++;
    try {
      return request.verified.code === 'Access-Request'
        ? await this.access(request)
        : await this.accounting(request);
    } catch (error) {
      const { code, identifier } = request.verified.packet;
      const context = { clientId: request.client.id, code, identifier, error: errorName(error) };
      this.deps.logger?.error(context, 'RADIUS handler failed; request dropped');
      return this.drop('handler_error', request.origin.source, request.client.id);
    } finally {
      this.inFlight--;
    }
  }

  private async access(request: Request): Promise<Buffer | null> {
    const attributes = readAccessRequest(request.verified.packet, request.client.secret);
    const decision: AccessDecision = await this.deps.handler.access({ ...request.origin, attributes });
    if (decision.decision === 'discard') {
      this.counters.discarded++;
      return null;
    }
    const bytes = this.encode(request, DECISION_CODES[decision.decision], decision.attributes ?? []);
    if (bytes) this.counters[DECISION_COUNTERS[decision.decision]]++;
    return bytes;
  }

  /** The Accounting-Response goes out only once the handler has made the record durable (RFC 2866 §2). */
  private async accounting(request: Request): Promise<Buffer | null> {
    const attributes = readAccountingRequest(request.verified.packet);
    await this.deps.handler.accounting({ ...request.origin, attributes });
    const bytes = this.encode(request, 'Accounting-Response', []);
    if (bytes) this.counters.accounting++;
    return bytes;
  }

  /** Attributes a handler returns that cannot be encoded (too long, out of range) are its bug: drop. */
  private encode(
    request: Request,
    code: RadiusReplyCode,
    attributes: readonly RadiusAttribute[],
  ): Buffer | null {
    const { verified, client } = request;
    const proxyStates = verified.proxyStates.map((value): RadiusAttribute => ({
      type: 'Proxy-State',
      value,
    }));
    try {
      return encodeReply({
        code,
        identifier: verified.packet.identifier,
        requestAuthenticator: verified.packet.authenticator,
        requestCode: verified.code,
        secret: client.secret,
        attributes: [...attributes, ...proxyStates],
      });
    } catch (error) {
      this.deps.logger?.error(
        { clientId: client.id, code, error: errorName(error) },
        'RADIUS reply not encodable',
      );
      return this.drop('encode_error', request.origin.source, client.id);
    }
  }

  private drop(reason: RadiusServerDropReason, source: Source, clientId: string | null): null {
    this.counters.dropped[reason]++;
    const event = { reason, address: source.address, port: source.port, clientId };
    this.deps.logger?.debug?.(event, 'RADIUS packet dropped');
    try {
      this.deps.onDrop?.(event);
    } catch {
      // A failing metrics callback must not change what happens to the packet.
    }
    return null;
  }
}
