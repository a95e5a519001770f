import { createHash } from 'node:crypto';
import { createTestCa, issueTestDevice } from '@pakawaaz/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import {
  certificateThumbprint,
  ClientCertificates,
  isDeviceListenerSocket,
  markDeviceListenerSocket,
  MAX_CLIENT_CERT_HEADER_BYTES,
  parseForwardedCertificate,
} from './client-certificate.js';

let caDer: Uint8Array;
let leafDer: Uint8Array;
let leafPem: string;

beforeAll(async () => {
  const ca = await createTestCa();
  const device = await issueTestDevice(ca);
  caDer = new Uint8Array(ca.cert.rawData);
  leafDer = new Uint8Array(device.cert.rawData);
  leafPem = device.cert.toString('pem');
});

const fingerprint = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/** A TLS socket as Node presents it: the leaf links to its issuer, a self-issued root links to itself. */
function tlsSocket(authorized: boolean, ders: Uint8Array[] = [leafDer, caDer]) {
  type Peer = { raw: Buffer; fingerprint256: string; issuerCertificate?: Peer };
  const peers: Peer[] = ders.map((d) => ({ raw: Buffer.from(d), fingerprint256: fingerprint(d) }));
  peers.forEach((p, i) => (p.issuerCertificate = peers[i + 1] ?? p));
  return {
    authorized,
    remoteAddress: '10.0.0.5',
    getPeerCertificate: (detailed?: boolean) =>
      detailed ? peers[0] : { ...peers[0], issuerCertificate: undefined },
  };
}
/** A connection the device listener accepted without a client certificate (a TLS terminator's). */
const plainSocket = (remoteAddress: string) => {
  const socket = { remoteAddress };
  markDeviceListenerSocket(socket);
  return socket;
};
/** A connection to the main API port. */
const mainPortSocket = (remoteAddress: string) => ({ remoteAddress });

const nginxEscaped = (pem: string) => encodeURIComponent(pem);
const request = (socket: unknown, headers: Record<string, string | string[] | undefined> = {}) => ({
  headers,
  raw: { socket },
});

async function refusal(f: () => unknown): Promise<AppError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('ClientCertificates.chain', () => {
  const none = new ClientCertificates({ trustedProxies: [], header: 'x-client-cert' });
  const proxied = new ClientCertificates({
    trustedProxies: ['10.0.0.0/24', '192.0.2.7', 'fd00::/8'],
    header: 'x-client-cert',
  });

  it('reads the verified TLS chain leaf first and stops at the self-issued root', () => {
    const chain = none.chain(request(tlsSocket(true)));
    expect(chain?.map(fingerprint)).toEqual([fingerprint(leafDer), fingerprint(caDer)]);
  });

  it('ignores a TLS certificate the server did not verify', () => {
    expect(none.chain(request(tlsSocket(false)))).toBeNull();
  });

  it('returns null without a certificate', () => {
    expect(none.chain(request(plainSocket('127.0.0.1')))).toBeNull();
    expect(none.chain({ headers: {} })).toBeNull();
  });

  it('ignores the forwarded header when no proxy is allow-listed (the default)', () => {
    expect(
      none.chain(request(plainSocket('10.0.0.5'), { 'x-client-cert': nginxEscaped(leafPem) })),
    ).toBeNull();
  });

  it('believes the header from an allow-listed address or CIDR, v4, v4-mapped and v6', () => {
    for (const peer of ['10.0.0.5', '10.0.0.254', '192.0.2.7', '::ffff:10.0.0.9', 'fd00::1']) {
      const chain = proxied.chain(request(plainSocket(peer), { 'x-client-cert': nginxEscaped(leafPem) }));
      expect(chain?.map(fingerprint), peer).toEqual([fingerprint(leafDer)]);
    }
  });

  it('ignores the header from any other peer, even a well-formed one', () => {
    for (const peer of ['10.0.1.5', '192.0.2.8', '127.0.0.1', 'fe80::1', '::ffff:10.0.1.1']) {
      const chain = proxied.chain(request(plainSocket(peer), { 'x-client-cert': nginxEscaped(leafPem) }));
      expect(chain, peer).toBeNull();
    }
  });

  it('ignores the header on the main API port, even from an allow-listed proxy', () => {
    for (const peer of ['10.0.0.5', '192.0.2.7', 'fd00::1']) {
      const chain = proxied.chain(request(mainPortSocket(peer), { 'x-client-cert': nginxEscaped(leafPem) }));
      expect(chain, peer).toBeNull();
    }
    // Not even a malformed header is looked at there (no 400: the header means nothing on that port).
    expect(proxied.chain(request(mainPortSocket('10.0.0.5'), { 'x-client-cert': 'junk' }))).toBeNull();
  });

  it('knows the device listener’s sockets only', () => {
    expect(isDeviceListenerSocket(plainSocket('10.0.0.5'))).toBe(true);
    expect(isDeviceListenerSocket(mainPortSocket('10.0.0.5'))).toBe(false);
    expect(isDeviceListenerSocket(undefined)).toBe(false);
  });

  it('prefers the TLS chain over a header (the connection itself is the stronger evidence)', () => {
    const socket = { ...tlsSocket(true, [caDer]), remoteAddress: '10.0.0.5' };
    const chain = proxied.chain(request(socket, { 'x-client-cert': nginxEscaped(leafPem) }));
    expect(chain?.map(fingerprint)).toEqual([fingerprint(caDer)]);
  });

  it('reads the configured header name only', () => {
    const other = new ClientCertificates({ trustedProxies: ['10.0.0.5'], header: 'ssl-client-cert' });
    expect(
      other.chain(request(plainSocket('10.0.0.5'), { 'x-client-cert': nginxEscaped(leafPem) })),
    ).toBeNull();
    expect(
      other.chain(request(plainSocket('10.0.0.5'), { 'ssl-client-cert': nginxEscaped(leafPem) }))?.length,
    ).toBe(1);
  });

  it('refuses a header sent twice by an allow-listed proxy', async () => {
    const err = await refusal(() =>
      proxied.chain(request(plainSocket('10.0.0.5'), { 'x-client-cert': [leafPem, leafPem] })),
    );
    expect([err.status, err.code]).toEqual([400, 'malformed_client_certificate']);
  });

  it('refuses an allow-list entry that is not an address', () => {
    expect(() => new ClientCertificates({ trustedProxies: ['proxy.local'], header: 'x' })).toThrow();
  });
});

describe('parseForwardedCertificate', () => {
  it('reads URL-escaped PEM (nginx), PEM with folded newlines, bare base64 DER (HAProxy) and a chain', () => {
    const der = fingerprint(leafDer);
    expect(parseForwardedCertificate(nginxEscaped(leafPem)).map(fingerprint)).toEqual([der]);
    expect(parseForwardedCertificate(leafPem.replace(/\n/g, ' ')).map(fingerprint)).toEqual([der]);
    expect(parseForwardedCertificate(Buffer.from(leafDer).toString('base64')).map(fingerprint)).toEqual([
      der,
    ]);
    const caPem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(caDer).toString('base64')}\n-----END CERTIFICATE-----\n`;
    expect(parseForwardedCertificate(nginxEscaped(leafPem + caPem)).map(fingerprint)).toEqual([
      der,
      fingerprint(caDer),
    ]);
  });

  it.each([
    ['bad URL escaping', '%E0%A4%A'],
    ['no PEM block', encodeURIComponent('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')],
    ['garbage', 'not a certificate!'],
    ['base64 that is not DER', Buffer.from('hello world, not a certificate').toString('base64')],
    [
      'a PEM block that is not a certificate',
      encodeURIComponent('-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----'),
    ],
  ])('refuses %s with 400 malformed_client_certificate', async (_name, value) => {
    const err = await refusal(() => parseForwardedCertificate(value));
    expect([err.status, err.code]).toEqual([400, 'malformed_client_certificate']);
  });

  it('refuses a header over the size cap before parsing it', async () => {
    const huge = nginxEscaped(leafPem).padEnd(MAX_CLIENT_CERT_HEADER_BYTES + 1, 'A');
    const err = await refusal(() => parseForwardedCertificate(huge));
    expect([err.status, err.code]).toEqual([400, 'malformed_client_certificate']);
    expect(err.message).toContain(String(MAX_CLIENT_CERT_HEADER_BYTES));
  });
});

describe('certificateThumbprint', () => {
  it('is RFC 8705 x5t#S256: base64url SHA-256 of the DER, unpadded', () => {
    const t = certificateThumbprint(leafDer);
    expect(t).toBe(createHash('sha256').update(leafDer).digest('base64url'));
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
