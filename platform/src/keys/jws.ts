import {
  errors,
  jwtVerify,
  type CryptoKey,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  type KeyObject,
} from 'jose';
import type { Signer } from './key.service.js';

const b64url = (v: Uint8Array | string) => Buffer.from(v).toString('base64url');

/**
 * A compact JWS (RFC 7515 §7.1) signed by a key-service signer, whose private key may be in an HSM: jose's
 * SignJWT needs the private key itself, this needs only `sign`. Tokens verify with jose as any other.
 */
export async function signCompactJws(
  signer: Signer,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
): Promise<string> {
  const input = `${b64url(JSON.stringify({ ...header, alg: signer.alg }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(await signer.sign(Buffer.from(input, 'ascii')))}`;
}

/** The order n of P-256 (SEC 2 §2.4.2 / FIPS 186-4 D.1.2.3) and n / 2: an ES256 s above it is "high". */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const P256_HALF_N = P256_N >> 1n;

const toBig = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);

/**
 * An ES256 signature r ‖ s with s in the lower half: (r, s) and (r, n − s) both verify, so one signed token
 * has two encodings. Pakawaaz signs only the low one (BIP 62 / RFC 6979 practice) and accepts only it, so a
 * token's bytes are unique: a twin made from a captured token can never pass for a different one.
 */
export function toLowS(signature: Buffer): Buffer {
  if (signature.length !== 64) return signature;
  const s = toBig(signature.subarray(32));
  if (s <= P256_HALF_N) return signature;
  const low = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return Buffer.concat([signature.subarray(0, 32), low]);
}

/**
 * Whether base64url text is the one canonical encoding of its bytes. The last character of a segment whose
 * length is not a multiple of 4 has unused low bits (4 of them for a 64-byte signature), and decoders, jose's
 * included, ignore them: without this check one token has up to 16 spellings.
 */
const isCanonicalBase64url = (text: string): boolean =>
  /^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;

/**
 * Whether a compact JWS's signature is a 64-byte r ‖ s with s ≤ n/2, and all three segments are canonical
 * base64url (false for anything else).
 */
export function hasLowS(compactJws: string): boolean {
  const parts = compactJws.split('.');
  const sig = parts[2];
  if (parts.length !== 3 || sig === undefined || !/^[A-Za-z0-9_-]{86}$/.test(sig)) return false;
  if (!parts.every(isCanonicalBase64url)) return false;
  const bytes = Buffer.from(sig, 'base64url');
  return bytes.length === 64 && toBig(bytes.subarray(32)) <= P256_HALF_N;
}

/**
 * jose's jwtVerify for tokens Pakawaaz signed itself with ES256 (access tokens, login tickets, device
 * challenges), refusing a high-S twin first. Throws jose's errors, as jwtVerify does.
 */
export async function verifyOwnEs256Jwt(
  token: string,
  key: CryptoKey | KeyObject,
  options: Omit<JWTVerifyOptions, 'algorithms'>,
): Promise<JWTVerifyResult> {
  if (!hasLowS(token))
    throw new errors.JWSSignatureVerificationFailed('signature is not in low-S, canonical base64url form');
  return jwtVerify(token, key, { ...options, algorithms: ['ES256'] });
}
