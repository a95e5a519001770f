import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** AES-256-GCM with a 96-bit random IV; output iv ‖ ciphertext ‖ tag. AAD binds a ciphertext to its context. */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function seal(
  key: Buffer,
  plaintext: Buffer,
  aad: string,
  iv: Buffer = randomBytes(IV_BYTES),
): Buffer {
  if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Opens a sealed blob; throws when the key, the AAD or any byte is wrong (GCM authentication). */
export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (key.length !== 32) throw new RangeError('AES-256-GCM needs a 32-byte key');
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new RangeError('sealed data is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

/** HMAC-SHA-256, hex: fingerprints secrets for equality checks without storing or decrypting them. */
export function fingerprint(macKey: Buffer, ...parts: Buffer[]): string {
  const h = createHmac('sha256', macKey);
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

/** AAD conventions, so a ciphertext moved to another row or field fails to open. */
export const aad = {
  dataKey: (dataKeyId: string, kekId: string) => `pakawaaz:dek:${dataKeyId}:${kekId}`,
  simField: (imsi: string, field: 'k' | 'opc') => `pakawaaz:sim:${imsi}:${field}`,
  importSource: (jobId: string) => `pakawaaz:sim-import:${jobId}`,
} as const;
