import { createHash, X509Certificate } from 'node:crypto';
import { BlockList } from 'node:net';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { parseCidr } from '../config/platform.config.js';
import { platformError } from '../errors/platform.errors.js';

/** A forwarded certificate header longer than this is refused (a device certificate and a CA or two fit). */
export const MAX_CLIENT_CERT_HEADER_BYTES = 16 * 1024;
/** At most this many certificates are taken from a TLS chain or a header. */
const MAX_CHAIN = 5;

/** Where a request's client certificate may come from (the platform config, parsed once). */
export type ClientCertificateOptions = {
  /** TLS terminators whose forwarded header is believed: addresses or CIDRs. Empty: nobody's. */
  readonly trustedProxies: readonly string[];
  /** Lower-case header name (nginx: `proxy_set_header X-Client-Cert $ssl_client_escaped_cert;`). */
  readonly header: string;
};

/** What the guard reads of a Fastify request (kept structural so unit tests need no server). */
export type CertificateRequest = {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw?: { readonly socket?: unknown };
};

/**
 * Sockets accepted by the device listener (the mutual-TLS device port). A forwarded certificate header is
 * believed only on these: the main API port never takes a certificate from a header, whoever the peer is, so a
 * host that shares an allow-listed address (or a proxy in front of the main port that passes client headers
 * through) cannot claim a device's certificate there.
 */
const deviceListenerSockets = new WeakSet<object>();

/** Marks a socket as accepted by the device listener (called by the device port for every connection). */
export function markDeviceListenerSocket(socket: object): void {
  deviceListenerSockets.add(socket);
}

/** Whether this socket was accepted by the device listener. */
export function isDeviceListenerSocket(socket: unknown): boolean {
  return typeof socket === 'object' && socket !== null && deviceListenerSockets.has(socket);
}

/** The ClientCertificates of this node (built from the platform config by the PlatformModule). */
export const CLIENT_CERTIFICATES = Symbol.for('pakawaaz.ClientCertificates');

/** Compiles the options once: a BlockList of the allow-listed proxies. */
export class ClientCertificates {
  private readonly proxies = new BlockList();
  private readonly anyProxy: boolean;

  constructor(private readonly options: ClientCertificateOptions) {
    for (const entry of options.trustedProxies) {
      const cidr = parseCidr(entry);
      if (!cidr) throw new Error(`not an address or CIDR: ${entry}`);
      this.proxies.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    this.anyProxy = options.trustedProxies.length > 0;
  }

  /**
   * The DER chain (leaf first) of the client certificate, or null when the request presents none:
   * - from the TLS connection itself when it carries a certificate the server verified (the device port);
   * - otherwise from the forwarded header, only when the request arrived on the device listener and the TCP
   *   peer is an allow-listed proxy. The header on the main API port, or from any other peer, is ignored,
   *   never trusted. A forwarded header that is not a certificate is a 400.
   */
  chain(request: CertificateRequest): Uint8Array[] | null {
    const socket = request.raw?.socket as Partial<TLSSocket> | null | undefined;
    const fromTls = tlsChain(socket);
    if (fromTls) return fromTls;
    if (!this.anyProxy || !isDeviceListenerSocket(socket)) return null;
    const peer = socket?.remoteAddress;
    if (!peer || !this.isTrustedProxy(peer)) return null;
    const value = request.headers[this.options.header];
    if (value === undefined || value === '') return null;
    if (Array.isArray(value))
      throw platformError(
        'malformed_client_certificate',
        `The proxy sent ${this.options.header} more than once.`,
      );
    return parseForwardedCertificate(value);
  }

  isTrustedProxy(address: string): boolean {
    const family = address.includes(':') ? 'ipv6' : 'ipv4';
    try {
      return this.proxies.check(address, family);
    } catch {
      return false;
    }
  }
}

/**
 * The chains already read, per connection: a handset keeps its connection alive across requests, and its
 * certificate cannot change on it (the device port refuses renegotiation). Reading the chain again on every
 * request (`getPeerCertificate(true)` builds JS objects for every certificate) was a visible cost.
 */
const chains = new WeakMap<object, Uint8Array[] | null>();

/** The chain of a TLS connection whose client certificate the server verified; null otherwise. */
function tlsChain(socket: Partial<TLSSocket> | null | undefined): Uint8Array[] | null {
  if (!socket || typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return null;
  if (chains.has(socket)) return chains.get(socket) ?? null;
  const chain = readTlsChain(socket as TLSSocket);
  chains.set(socket, chain);
  return chain;
}

function readTlsChain(socket: TLSSocket): Uint8Array[] | null {
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
  const chain: Uint8Array[] = [];
  const seen = new Set<string>();
  while (cert?.raw && chain.length < MAX_CHAIN) {
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(new Uint8Array(cert.raw));
    // Node links a self-issued certificate to itself: stop there (the root is no evidence of anything).
    const issuer: DetailedPeerCertificate | undefined = (cert as Partial<DetailedPeerCertificate>)
      .issuerCertificate;
    if (!issuer || issuer === cert || issuer.fingerprint256 === cert.fingerprint256) break;
    cert = issuer;
  }
  return chain.length > 0 ? chain : null;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/**
 * A forwarded client certificate: URL-escaped PEM (nginx `$ssl_client_escaped_cert`), plain PEM with its
 * newlines folded to spaces or tabs (some proxies), or bare base64 DER (HAProxy `%{+Q}[ssl_c_der,base64]`).
 * Several PEM blocks are read as a chain, leaf first. Anything else is a 400, never a 500.
 */
export function parseForwardedCertificate(value: string): Uint8Array[] {
  const refuse = (why: string) =>
    platformError('malformed_client_certificate', `The forwarded client certificate ${why}.`);
  if (Buffer.byteLength(value) > MAX_CLIENT_CERT_HEADER_BYTES)
    throw refuse(`is longer than ${MAX_CLIENT_CERT_HEADER_BYTES} bytes`);
  let text = value.trim();
  if (text.startsWith('"') && text.endsWith('"') && text.length > 1) text = text.slice(1, -1);
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      throw refuse('is not valid URL-escaped text');
    }
  }
  const ders: Buffer[] = [];
  if (text.includes('-----BEGIN')) {
    for (const m of text.matchAll(PEM_BLOCK)) ders.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
    if (ders.length === 0) throw refuse('holds no PEM CERTIFICATE block');
  } else if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    ders.push(Buffer.from(text, 'base64'));
  } else {
    throw refuse('is neither PEM nor base64 DER');
  }
  if (ders.length > MAX_CHAIN) throw refuse(`holds more than ${MAX_CHAIN} certificates`);
  for (const der of ders) {
    try {
      new X509Certificate(der);
    } catch {
      throw refuse('is not an X.509 certificate');
    }
  }
  return ders.map((d) => new Uint8Array(d));
}

/** RFC 8705 `x5t#S256`: base64url SHA-256 of the certificate's DER. */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url');
}
