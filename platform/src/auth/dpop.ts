import { createHash, createPublicKey, verify, X509Certificate, type JsonWebKey } from 'node:crypto';

/*
 * RFC 9449 DPoP proofs for desktop devices (the officials' web chat). A browser cannot use its WebCrypto key
 * for TLS client authentication, so each request (and the chat WebSocket's upgrade) carries the official's
 * access token — bound to the device key (`cnf.jkt`, RFC 9449 §6) — and a proof signed by the browser's
 * non-extractable device key: ES256 only, `jwk` the device key, `x5c` the desktop device certificate the
 * device CA issued for that key, bound to this request (`htm`, and `htu` as scheme, host and path against
 * the server's public origins, §4.3), to this access token (`ath`) and fresh (`iat` within PROOF_WINDOW_S).
 * This check is pure: the caller spends the `jti` (dpop-replay.ts) only once everything else has passed.
 */

export const PROOF_WINDOW_S = 60;
const MAX_PROOF = 8192;
const MAX_CHAIN = 4;
const JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

export type DpopRequest = {
  method: string;
  /** The request's path, without the query. */
  path: string;
  /** The origins (`https://host[:port]`) this server is reached by: `htu` must name one of them. */
  origins: readonly string[];
  /** The access token the proof must be bound to (`ath`); absent at the token endpoint (RFC 9449 §5). */
  accessToken?: string;
  /** Whether `x5c` (the desktop device certificate) must be present. */
  certificate: boolean;
};
export type DpopProof = {
  /** RFC 7638 thumbprint of the proof key: what a bound token's `cnf.jkt` names. */
  jkt: string;
  jti: string;
  /** When the proof can no longer be accepted (iat + the window): how long its jti must be remembered. */
  expiresAtMs: number;
  /** The certificate chain of `x5c`, empty when the proof carries none. */
  chain: Uint8Array[];
};
export type DpopResult = ({ ok: true } & DpopProof) | { ok: false; why: string };

const json = (b64u: string): unknown => JSON.parse(Buffer.from(b64u, 'base64url').toString('utf8'));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const accessTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'ascii').digest('base64url');

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a P-256 public key: the required members, sorted. */
export const jwkThumbprint = (jwk: { x: string; y: string }): string =>
  createHash('sha256')
    .update(JSON.stringify({ crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y }), 'utf8')
    .digest('base64url');

/** `scheme://host[:port]` of a URL, lower-cased, the default port dropped; null when it is not http(s). */
export function normalOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

/** RFC 9449 §4.3: `htu` without query and fragment, normalised (RFC 3986 §6.2.2–6.2.3). */
function htuOf(htu: unknown): { origin: string; path: string } | null {
  if (typeof htu !== 'string' || htu.length > 2048) return null;
  try {
    const u = new URL(htu);
    if (u.username || u.password || (u.protocol !== 'https:' && u.protocol !== 'http:')) return null;
    return { origin: u.origin, path: u.pathname };
  } catch {
    return null;
  }
}

function readHeader(header: Record<string, unknown>, certificate: boolean) {
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256')
    return { why: 'typ must be dpop+jwt and alg ES256' };
  const jwk = header.jwk;
  if (!isObj(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk)
    return { why: 'jwk must be a public P-256 key' };
  const { x, y } = jwk;
  if (typeof x !== 'string' || typeof y !== 'string') return { why: 'jwk must be a public P-256 key' };
  const x5c = header.x5c ?? (certificate ? undefined : []);
  if (
    !Array.isArray(x5c) ||
    x5c.length > MAX_CHAIN ||
    (certificate && x5c.length < 1) ||
    !x5c.every((c) => typeof c === 'string')
  )
    return { why: 'x5c must carry the desktop device certificate' };
  let key;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    if (x5c.length > 0) {
      const certJwk = new X509Certificate(Buffer.from(x5c[0] as string, 'base64')).publicKey.export({
        format: 'jwk',
      });
      if (certJwk.crv !== 'P-256' || certJwk.x !== x || certJwk.y !== y)
        return { why: 'jwk is not the certificate’s key' };
    }
  } catch {
    return { why: 'its certificate or key cannot be read' };
  }
  return { key, jkt: jwkThumbprint({ x, y }), x5c: x5c };
}

/** Verifies a DPoP proof (pure: nothing is spent); the chain is the device certificate's, when it has one. */
export function verifyDpopProof(proof: string, want: DpopRequest, nowMs = Date.now()): DpopResult {
  const m = proof.length <= MAX_PROOF ? JWS.exec(proof) : null;
  if (!m) return { ok: false, why: 'it is not a compact JWS' };
  let header: unknown, claims: unknown;
  try {
    header = json(m[1]!);
    claims = json(m[2]!);
  } catch {
    return { ok: false, why: 'its header or claims are not JSON' };
  }
  if (!isObj(header) || !isObj(claims)) return { ok: false, why: 'its header or claims are not objects' };
  const h = readHeader(header, want.certificate);
  if (h.why !== undefined) return { ok: false, why: h.why };
  const signed = Buffer.from(`${m[1]}.${m[2]}`, 'ascii');
  const sig = Buffer.from(m[3]!, 'base64url');
  if (sig.length !== 64 || !verify('sha256', signed, { key: h.key, dsaEncoding: 'ieee-p1363' }, sig))
    return { ok: false, why: 'its signature does not verify' };
  const htu = htuOf(claims.htu);
  if (claims.htm !== want.method || htu?.path !== want.path)
    return { ok: false, why: 'it was made for another request (htm, htu)' };
  if (!want.origins.includes(htu.origin))
    return { ok: false, why: `it was made for another server (htu: expected ${want.origins.join(' or ')})` };
  if (want.accessToken !== undefined && claims.ath !== accessTokenHash(want.accessToken))
    return { ok: false, why: 'it was made for another access token (ath)' };
  const iat = claims.iat;
  if (typeof iat !== 'number' || Math.abs(nowMs / 1000 - iat) > PROOF_WINDOW_S)
    return { ok: false, why: `it is not fresh (iat within ${PROOF_WINDOW_S} s)` };
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 128)
    return { ok: false, why: 'jti must be 8 to 128 characters' };
  return {
    ok: true,
    jkt: h.jkt,
    jti,
    expiresAtMs: (iat + PROOF_WINDOW_S) * 1000,
    chain: h.x5c.map((c) => new Uint8Array(Buffer.from(c, 'base64'))),
  };
}
