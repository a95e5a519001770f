import type {
  AccessRequestAttributes,
  AccountingRequestAttributes,
  RadiusAttribute,
  RadiusPacket,
} from '@pakawaaz/radius';

/**
 * The contract between the RADIUS protocol shell and the business logic that `server/` injects: who the
 * clients are, and what to answer. Nothing here sees a shared secret except the client lookup.
 */

export type RadiusClient = { readonly id: string; readonly name: string; readonly secret: Buffer };

/** Exact-IP or CIDR matching is the caller's job; null for an address that is not a client. */
export type RadiusClientLookup = (address: string) => RadiusClient | null;

export type RadiusRequestOrigin = {
  readonly client: { readonly id: string; readonly name: string };
  readonly source: { readonly address: string; readonly port: number };
  readonly identifier: number;
  /** The verified request, for attributes the typed view does not cover (e.g. vendor-specific ones). */
  readonly packet: RadiusPacket;
};

export type AccessRequestContext = RadiusRequestOrigin & { readonly attributes: AccessRequestAttributes };

export type AccountingContext = RadiusRequestOrigin & { readonly attributes: AccountingRequestAttributes };

/**
 * `discard` sends nothing, as EAP asks for a stale or duplicate response (RFC 3748 §4.1, the EAP-AKA
 * server's 'discard' effect). Message-Authenticator and Proxy-State are added by the shell.
 */
export type AccessDecision =
  | {
      readonly decision: 'accept' | 'reject' | 'challenge';
      readonly attributes?: readonly RadiusAttribute[];
    }
  | { readonly decision: 'discard' };

export type RadiusHandler = {
  access(request: AccessRequestContext): Promise<AccessDecision>;
  /** Resolves once the record is durable; a rejection sends no reply, and the NAS retries. */
  accounting(request: AccountingContext): Promise<void>;
};

/** A minimal pino-compatible logger. */
export type RadiusLogger = {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
};
