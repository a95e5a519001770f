import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The RADIUS shared-secret constructions, and nothing else: Message-Authenticator (RFC 3579 §3.2),
 * Request Authenticator of accounting (RFC 2866 §3), Response Authenticator (RFC 2865 §3) and
 * User-Password hiding (RFC 2865 §5.2). MD5 is what the protocol defines; RadSec is the way out of it.
 */

const AUTHENTICATOR_BYTES = 16;
const AUTHENTICATOR_OFFSET = 4;
export const ZERO_AUTHENTICATOR: Buffer = Buffer.alloc(AUTHENTICATOR_BYTES);

/** User-Password is 16…128 bytes, a multiple of 16 (RFC 2865 §5.2). */
export const USER_PASSWORD_MAX_BYTES = 128;

const md5 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** A copy of the packet with its authenticator field replaced: the constructions all hash such a copy. */
function withAuthenticator(bytes: Buffer, authenticator: Buffer): Buffer {
  if (authenticator.length !== AUTHENTICATOR_BYTES) throw new Error('RADIUS authenticators are 16 bytes');
  const copy = Buffer.from(bytes);
  authenticator.copy(copy, AUTHENTICATOR_OFFSET);
  return copy;
}

/**
 * HMAC-MD5(secret, packet) with the 16 Message-Authenticator bytes at `valueOffset` zeroed and the
 * authenticator field set to `authenticatorField`: the Request Authenticator for Access-Request,
 * Status-Server and the replies to them, 16 zero octets for Accounting-Request (RFC 3579 §3.2).
 */
export function computeMessageAuthenticator(
  bytes: Buffer,
  valueOffset: number,
  authenticatorField: Buffer,
  secret: Buffer,
): Buffer {
  const copy = withAuthenticator(bytes, authenticatorField);
  copy.fill(0, valueOffset, valueOffset + AUTHENTICATOR_BYTES);
  return createHmac('md5', secret).update(copy).digest();
}

/** MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret) (RFC 2866 §3). */
export function computeAccountingRequestAuthenticator(bytes: Buffer, secret: Buffer): Buffer {
  return md5(withAuthenticator(bytes, ZERO_AUTHENTICATOR), secret);
}

/** MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret) (RFC 2865 §3). */
export function computeResponseAuthenticator(
  bytes: Buffer,
  requestAuthenticator: Buffer,
  secret: Buffer,
): Buffer {
  return md5(withAuthenticator(bytes, requestAuthenticator), secret);
}

/** Constant-time equality of two digests; a length difference is not secret. */
export function digestsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The RFC 2865 §5.2 keystream: b1 = MD5(S + RA), bi = MD5(S + c(i-1)), XORed block by block. */
function xorChain(input: Buffer, secret: Buffer, authenticator: Buffer, decrypting: boolean): Buffer {
  const output = Buffer.alloc(input.length);
  let previous = authenticator;
  for (let offset = 0; offset < input.length; offset += 16) {
    const pad = md5(secret, previous);
    for (let i = 0; i < 16; i++) output[offset + i] = input[offset + i]! ^ pad[i]!;
    previous = (decrypting ? input : output).subarray(offset, offset + 16);
  }
  return output;
}

/** Hides a password for User-Password (the lab's NAS side and tests); throws past 128 bytes. */
export function hideUserPassword(password: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  if (password.length > USER_PASSWORD_MAX_BYTES) throw new Error('User-Password is at most 128 bytes');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(password.length / 16) * 16));
  password.copy(padded);
  return xorChain(padded, secret, requestAuthenticator, false);
}

export const validUserPasswordSize = (size: number): boolean =>
  size >= 16 && size <= USER_PASSWORD_MAX_BYTES && size % 16 === 0;

/**
 * Reveals a User-Password and strips the NUL padding; null if the attribute has the wrong size. A wrong
 * secret yields garbage, not an error: there is nothing to check a password against here.
 */
export function revealUserPassword(
  hidden: Buffer,
  secret: Buffer,
  requestAuthenticator: Buffer,
): Buffer | null {
  if (!validUserPasswordSize(hidden.length)) return null;
  const padded = xorChain(hidden, secret, requestAuthenticator, true);
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0) end--;
  return padded.subarray(0, end);
}
