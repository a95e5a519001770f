import { secureChatError } from '../secure-chat.errors.js';

/** Base64url without padding, as the wire contract carries MLS structures. */
export const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

const B64U = /^[A-Za-z0-9_-]*$/;

/**
 * Reads a base64url field, refusing anything over `maxBytes` decoded before decoding it (the text's length
 * bounds the bytes), and anything that is not base64url.
 */
export function fromB64u(value: string, maxBytes: number, field: string): Uint8Array {
  if (value.length > Math.ceil((maxBytes * 4) / 3))
    throw secureChatError('mls_too_large', `${field} is over ${maxBytes} bytes.`, { field, maxBytes });
  if (!B64U.test(value) || value.length % 4 === 1)
    throw secureChatError('invalid_chat_input', `${field} is not base64url (no padding).`, { field });
  return new Uint8Array(Buffer.from(value, 'base64url'));
}
