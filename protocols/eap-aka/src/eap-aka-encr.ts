import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  decodeAttributeList,
  EapCodecError,
  encodeAttributeList,
  type AkaAttribute,
} from './eap-aka-codec.js';

/**
 * AT_IV / AT_ENCR_DATA (RFC 4187 §10.12, unchanged by RFC 9048): attributes encrypted with AES-128-CBC under
 * K_encr, a fresh random IV per message, no cipher padding — the plaintext is brought to whole 16-byte blocks
 * with AT_PADDING (4, 8 or 12 bytes, zeros) instead.
 */

const BLOCK = 16;

export function encryptAttributes(
  kEncr: Uint8Array,
  iv: Uint8Array,
  attributes: readonly AkaAttribute[],
): Buffer {
  if (kEncr.length !== 16 || iv.length !== BLOCK) throw new RangeError('K_encr and IV must be 16 bytes');
  const plain = encodeAttributeList(attributes);
  const short = (BLOCK - (plain.length % BLOCK)) % BLOCK;
  // Attributes are whole 4-byte words, so the gap is 0, 4, 8 or 12 bytes: exactly what AT_PADDING can fill.
  const padded =
    short === 0
      ? plain
      : Buffer.concat([plain, encodeAttributeList([{ type: 'padding', value: Buffer.alloc(short - 2) }])]);
  const cipher = createCipheriv('aes-128-cbc', kEncr, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]);
}

/**
 * Decrypts and decodes AT_ENCR_DATA. Throws `EapCodecError` for anything that does not decode: the caller
 * checks AT_MAC first, so a failure here is a peer bug, never an oracle on unauthenticated data.
 */
export function decryptAttributes(kEncr: Uint8Array, iv: Uint8Array, data: Uint8Array): AkaAttribute[] {
  if (iv.length !== BLOCK || data.length === 0 || data.length % BLOCK !== 0)
    throw new EapCodecError('bad_attribute_value', 'encrypted data is not whole blocks');
  const decipher = createDecipheriv('aes-128-cbc', kEncr, iv).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);
  return decodeAttributeList(plain).filter((a) => a.type !== 'padding');
}
