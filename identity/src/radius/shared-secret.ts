import { randomInt } from 'node:crypto';

/**
 * A generated NAS shared secret: 32 letters and digits, about 190 bits. Only letters and digits because the
 * secret is typed or pasted into NAS consoles, `clients.conf` files and command lines: a base64url secret
 * begins with `-` one time in 64, and `radclient … auth -x…` then takes it for options.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const GENERATED_SECRET_LENGTH = 32;

export function generateSharedSecret(): string {
  let secret = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < GENERATED_SECRET_LENGTH; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
  return secret;
}
