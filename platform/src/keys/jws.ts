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
