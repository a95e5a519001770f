import { createHash } from 'node:crypto';

/**
 * MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 §2.4.2, §2.4.3): how an Access-Accept hands the EAP
 * session keys to the NAS, hidden with the shared secret and the Request Authenticator:
 *
 *   P = Key-Length (1 octet) + Key + zero padding to a multiple of 16
 *   b(1) = MD5(secret + Request-Authenticator + Salt), c(1) = p(1) XOR b(1)
 *   b(i) = MD5(secret + c(i-1)),                       c(i) = p(i) XOR b(i)
 *   attribute value = Salt (2 octets, high bit set) + c(1) … c(n)
 */

export const MICROSOFT_VENDOR_ID = 311;
export const MPPE_VENDOR_TYPES = { 'MS-MPPE-Send-Key': 16, 'MS-MPPE-Recv-Key': 17 } as const;
export type MppeKeyType = keyof typeof MPPE_VENDOR_TYPES;

const SALT_BYTES = 2;
/** The value must fit a Vendor-Specific sub-attribute: 253 − 4 (Vendor-Id) − 2 (type, length) − salt. */
const MAX_CIPHERTEXT_BYTES = 240;
export const MPPE_MAX_KEY_BYTES = MAX_CIPHERTEXT_BYTES - 1;

export type MppeInput = {
  readonly secret: Buffer;
  readonly requestAuthenticator: Buffer;
};

const md5 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

function xorChain(input: Buffer, first: Buffer, secret: Buffer, decrypting: boolean): Buffer {
  const output = Buffer.alloc(input.length);
  let pad = first;
  for (let offset = 0; offset < input.length; offset += 16) {
    for (let i = 0; i < 16; i++) output[offset + i] = input[offset + i]! ^ pad[i]!;
    pad = md5(secret, (decrypting ? input : output).subarray(offset, offset + 16));
  }
  return output;
}

const validSalt = (salt: Buffer): boolean => salt.length === SALT_BYTES && (salt[0]! & 0x80) !== 0;

/** Encrypts one key; `salt` must be 2 bytes with the high bit set and unique within the packet. */
export function encryptMppeKey(input: MppeInput & { readonly key: Buffer; readonly salt: Buffer }): Buffer {
  const { key, salt, secret, requestAuthenticator } = input;
  if (!validSalt(salt)) throw new Error('MPPE salt must be 2 bytes with the high bit set');
  if (key.length === 0 || key.length > MPPE_MAX_KEY_BYTES) throw new Error('MPPE key length out of range');
  const plain = Buffer.alloc(Math.ceil((1 + key.length) / 16) * 16);
  plain[0] = key.length;
  key.copy(plain, 1);
  const first = md5(secret, requestAuthenticator, salt);
  return Buffer.concat([salt, xorChain(plain, first, secret, false)]);
}

/**
 * Decrypts one key (the lab's NAS side, tests); null when the value is malformed or does not decrypt to a
 * consistent length and zero padding, which is what a wrong secret or authenticator produces.
 */
export function decryptMppeKey(input: MppeInput & { readonly value: Buffer }): Buffer | null {
  const { value, secret, requestAuthenticator } = input;
  const salt = value.subarray(0, SALT_BYTES);
  const cipher = value.subarray(SALT_BYTES);
  if (!validSalt(salt) || cipher.length === 0 || cipher.length % 16 !== 0) return null;
  if (cipher.length > MAX_CIPHERTEXT_BYTES) return null;
  const plain = xorChain(cipher, md5(secret, requestAuthenticator, salt), secret, true);
  const length = plain[0]!;
  if (length === 0 || 1 + length > plain.length) return null;
  if (plain.subarray(1 + length).some((byte) => byte !== 0)) return null;
  return Buffer.from(plain.subarray(1, 1 + length));
}

/**
 * A salt with the high bit set that no earlier attribute of the packet used (RFC 2548: "MUST be unique").
 * A collision is resolved by stepping through the 15-bit space, so it terminates whatever `random` returns.
 */
export function mppeSalt(random: Buffer, used: Set<number>): Buffer {
  if (random.length < SALT_BYTES) throw new Error('MPPE salt needs 2 random bytes');
  let value = random.readUInt16BE(0) | 0x8000;
  while (used.has(value)) value = 0x8000 | ((value + 1) & 0x7fff);
  used.add(value);
  const salt = Buffer.alloc(SALT_BYTES);
  salt.writeUInt16BE(value, 0);
  return salt;
}

/**
 * The keys of an EAP MSK (≥ 64 bytes, RFC 3748 §7.10) as the NAS expects them: MS-MPPE-Recv-Key is the
 * first 32 bytes and MS-MPPE-Send-Key the next 32 (RFC 5216 §2.3's Enc-RECV-Key / Enc-SEND-Key, used for
 * every EAP method by FreeRADIUS and hostapd; RFC 3580 carries them to IEEE 802.1X NASes). "Recv" is
 * named from the NAS's side, and an 802.11 access point takes it as the PMK, as the handset does MSK[0..31].
 */
export function mppeKeysFromMsk(msk: Buffer): { readonly recvKey: Buffer; readonly sendKey: Buffer } {
  if (msk.length < 64) throw new Error('an EAP MSK is at least 64 bytes');
  return { recvKey: Buffer.from(msk.subarray(0, 32)), sendKey: Buffer.from(msk.subarray(32, 64)) };
}
