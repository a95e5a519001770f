// The officials' web client's device: a non-extractable ECDSA P-256 WebCrypto key, a CSR for it (enrolled as a
// device of kind `desktop`) and RFC 9449 DPoP proofs signed by it. WebCrypto only: the same code runs in the
// browser and on Node (tests).
import type { webcrypto } from 'node:crypto';
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import { Pkcs10CertificateRequestGenerator } from '@peculiar/x509';
import { b64u } from './bytes.js';
import { registerWebCryptoKey } from './webcrypto-signature.js';

// Type-only (erased): the same WebCrypto types the browser has.
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

const b64 = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The device key: the private half cannot be exported, by the page or anyone who runs script in it. */
export const createDesktopKey = (): Promise<CryptoKeyPair> =>
  crypto.subtle.generateKey(ECDSA, false, ['sign', 'verify']);

/** A PKCS#10 request (DER) for the key, signed by it: what `POST /api/v1/enrolment/desktop` takes (base64). */
export async function desktopCsr(keys: CryptoKeyPair): Promise<Uint8Array> {
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: 'CN=pakawaaz desktop',
    keys,
    signingAlgorithm: SIGN,
  });
  return new Uint8Array(csr.rawData);
}

/** The uncompressed SEC1 point of the public key: the MLS leaf's signature_key. */
export async function publicPoint(keys: CryptoKeyPair): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
}

export type DesktopIdentity = {
  keys: CryptoKeyPair;
  /** DER of the desktop device certificate. */
  certificateDer: Uint8Array;
};

/**
 * An RFC 9449 DPoP proof for one request, carrying the device certificate in `x5c`; `ath` names the access
 * token it goes with (none at the token endpoint: a refresh, RFC 9449 §5).
 */
export async function dpopProof(
  device: DesktopIdentity,
  request: { method: string; url: string; accessToken?: string | undefined },
): Promise<string> {
  const jwk = await crypto.subtle.exportKey('jwk', device.keys.publicKey);
  const header = {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    x5c: [b64(device.certificateDer)],
  };
  const token = request.accessToken;
  const ath =
    token === undefined
      ? undefined
      : b64u(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(token))));
  const url = new URL(request.url);
  const claims = {
    htm: request.method,
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor(Date.now() / 1000),
    jti: b64u(crypto.getRandomValues(new Uint8Array(16))),
    ...(ath ? { ath } : {}),
  };
  const input = `${b64u(utf8(JSON.stringify(header)))}.${b64u(utf8(JSON.stringify(claims)))}`;
  const sig = await crypto.subtle.sign(SIGN, device.keys.privateKey, utf8(input));
  return `${input}.${b64u(new Uint8Array(sig))}`;
}

/** Where a session's access token is re-issued bound to the device key (RFC 9449 §5). */
export const DPOP_TOKEN_PATH = '/api/v1/auth/token/dpop';

/**
 * The access token a desktop device uses on device routes and the chat WebSocket: the session's token (from
 * the sign-in) re-issued bound to this device's key (`cnf.jkt`, RFC 9449 §6), with the same expiry. The
 * session is bound to the key from then on: its refresh needs a proof of it (dpopRefresh).
 */
export async function dpopBoundToken(
  device: DesktopIdentity,
  baseUrl: string,
  sessionToken: string,
  base: typeof fetch = fetch,
): Promise<{ accessToken: string; expiresIn: number }> {
  const body = await tokenCall(device, new URL(DPOP_TOKEN_PATH, baseUrl).href, base, {
    bearer: sessionToken,
  });
  return { accessToken: body.accessToken, expiresIn: body.expiresIn ?? 0 };
}

/** Where a session's refresh token is exchanged for new tokens. */
export const REFRESH_PATH = '/api/v1/auth/refresh';

/**
 * Refreshes a session bound to this device's key (RFC 9449 §5): the refresh token with a proof of the key,
 * for a new access token bound to it (`tokenType` DPoP) and the next refresh token. A copied refresh token is
 * refused without the key.
 */
export async function dpopRefresh(
  device: DesktopIdentity,
  baseUrl: string,
  refreshToken: string,
  base: typeof fetch = fetch,
): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  const body = await tokenCall(device, new URL(REFRESH_PATH, baseUrl).href, base, { body: { refreshToken } });
  if (body.tokenType !== 'DPoP' || typeof body.refreshToken !== 'string')
    throw Object.assign(new Error('the refreshed token is not bound to this device'), {
      code: 'dpop_binding_failed',
    });
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, expiresIn: body.expiresIn ?? 0 };
}

type TokenReply = { accessToken: string; refreshToken?: string; tokenType?: string; expiresIn?: number };

/** A POST to a token endpoint with a proof of the device key (`ath` when a bearer token goes with it). */
async function tokenCall(
  device: DesktopIdentity,
  url: string,
  base: typeof fetch,
  with_: { bearer?: string; body?: unknown },
): Promise<TokenReply> {
  const token = with_.bearer;
  const headers = new Headers({ dpop: await dpopProof(device, { method: 'POST', url, accessToken: token }) });
  if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
  if (with_.body !== undefined) headers.set('content-type', 'application/json');
  const body = with_.body === undefined ? undefined : JSON.stringify(with_.body);
  const res = await base(url, { method: 'POST', headers, body });
  const reply = (await res.json().catch(() => ({}))) as Partial<TokenReply> & {
    code?: string;
    message?: string;
  };
  if (!res.ok || typeof reply.accessToken !== 'string')
    // The status and Retry-After let a caller tell a refusal from a failure that may pass (429, 5xx).
    throw Object.assign(new Error(reply.message ?? `HTTP ${res.status}`), {
      code: reply.code ?? '',
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
    });
  return reply as TokenReply;
}

/** A fetch that authenticates as the desktop device: `Authorization: DPoP <token>` and a fresh proof. */
export function dpopFetch(
  device: DesktopIdentity,
  accessToken: () => string,
  base: typeof fetch = fetch,
): ((request: Request) => Promise<Response>) & { close(): void } {
  const f = async (request: Request) => {
    const token = accessToken();
    const proof = await dpopProof(device, { method: request.method, url: request.url, accessToken: token });
    const headers = new Headers(request.headers);
    headers.set('authorization', `DPoP ${token}`);
    headers.set('dpop', proof);
    const body =
      request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
    return base(request.url, { method: request.method, headers, body });
  };
  return Object.assign(f, { close: () => undefined });
}

/** The device key as ChatCore signs with it: a handle for the CryptoKey, and its public point. */
export async function desktopSigningKey(
  device: DesktopIdentity,
): Promise<{ signKey: Uint8Array; publicKey: Uint8Array }> {
  const publicKey = await publicPoint(device.keys);
  return { signKey: await registerWebCryptoKey(device.keys.privateKey, publicKey), publicKey };
}

/** The chat WebSocket's subprotocols for a desktop device (a browser cannot set headers on a WebSocket). */
export async function dpopWsProtocols(
  device: DesktopIdentity,
  wsUrl: string,
  accessToken: string,
): Promise<string[]> {
  const url = wsUrl.replace(/^ws/, 'http');
  const proof = await dpopProof(device, { method: 'GET', url, accessToken });
  return ['pakawaaz.dpop', `token.${accessToken}`, `dpop.${proof}`];
}
