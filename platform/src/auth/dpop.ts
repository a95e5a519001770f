import { createHash, createPublicKey, verify, X509Certificate, type JsonWebKey } from 'node:crypto';

/*
 * RFC 9449 DPoP proofs for desktop devices (the officials' web chat). A browser cannot use its WebCrypto key
 * for TLS client authentication, so each request (and the chat WebSocket's upgrade) carries the official's
 * access token and a proof signed by the browser's non-extractable device key: ES256 only, `jwk` the device
 * key, `x5c` the desktop device certificate the device CA issued for that key, bound to this request (`htm`,
 * `htu`'s path), to this access token (`ath`) and fresh (`iat` within PROOF_WINDOW_S, `jti` seen once).
 */

export const PROOF_WINDOW_S = 60;
const MAX_PROOF = 8192;
const MAX_CHAIN = 4;
const JWS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

export type DpopRequest = { method: string; path: string; accessToken: string };
export type DpopResult = { ok: true; chain: Uint8Array[] } | { ok: false; why: string };

/** `jti`s of accepted proofs, kept for the window (bounded: the oldest go first under a flood). */
export class DpopReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly max = 100_000) {}

  /** false when the jti was seen within the window. */
  claim(jti: string, nowMs: number): boolean {
    for (const [k, at] of this.seen) {
      if (at > nowMs - PROOF_WINDOW_S * 2000 && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, nowMs);
    return true;
  }
}

/** The process's one cache: the HTTP guard and the chat WebSocket share it, so a proof serves once. */
export const DPOP_REPLAY = new DpopReplayCache();

const json = (b64u: string): unknown => JSON.parse(Buffer.from(b64u, 'base64url').toString('utf8'));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export const accessTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'ascii').digest('base64url');

function pathOf(htu: unknown): string | null {
  if (typeof htu !== 'string' || htu.length > 2048) return null;
  try {
    return new URL(htu).pathname;
  } catch {
    return null;
  }
}

/** Verifies a DPoP proof (pure but for the replay cache); the chain is the device certificate's. */
export function verifyDpopProof(
  proof: string,
  want: DpopRequest,
  replay: DpopReplayCache,
  nowMs = Date.now(),
): DpopResult {
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
  if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256')
    return { ok: false, why: 'typ must be dpop+jwt and alg ES256' };
  const jwk = header.jwk;
  if (!isObj(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk)
    return { ok: false, why: 'jwk must be a public P-256 key' };
  const x5c = header.x5c;
  if (
    !Array.isArray(x5c) ||
    x5c.length < 1 ||
    x5c.length > MAX_CHAIN ||
    !x5c.every((c) => typeof c === 'string')
  )
    return { ok: false, why: 'x5c must carry the desktop device certificate' };
  let cert: X509Certificate;
  let key;
  try {
    cert = new X509Certificate(Buffer.from(x5c[0] as string, 'base64'));
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return { ok: false, why: 'its certificate or key cannot be read' };
  }
  const certJwk = cert.publicKey.export({ format: 'jwk' });
  if (certJwk.crv !== 'P-256' || certJwk.x !== jwk.x || certJwk.y !== jwk.y)
    return { ok: false, why: 'jwk is not the certificate’s key' };
  const signed = Buffer.from(`${m[1]}.${m[2]}`, 'ascii');
  const sig = Buffer.from(m[3]!, 'base64url');
  if (sig.length !== 64 || !verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, sig))
    return { ok: false, why: 'its signature does not verify' };
  if (claims.htm !== want.method || pathOf(claims.htu) !== want.path)
    return { ok: false, why: 'it was made for another request (htm, htu)' };
  if (claims.ath !== accessTokenHash(want.accessToken))
    return { ok: false, why: 'it was made for another access token (ath)' };
  const iat = claims.iat;
  if (typeof iat !== 'number' || Math.abs(nowMs / 1000 - iat) > PROOF_WINDOW_S)
    return { ok: false, why: `it is not fresh (iat within ${PROOF_WINDOW_S} s)` };
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 128)
    return { ok: false, why: 'jti must be 8 to 128 characters' };
  if (!replay.claim(jti, nowMs)) return { ok: false, why: 'it was used before (jti)' };
  return { ok: true, chain: x5c.map((c) => new Uint8Array(Buffer.from(c, 'base64'))) };
}
