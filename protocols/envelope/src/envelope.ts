import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * The one sealed-data format of Pakawaaz (AES-256-GCM), pure and synchronous so that a worker thread handed a
 * data key can use it too:
 *
 *   0x01 ‖ len(keyVersion) ‖ keyVersion (ASCII) ‖ iv (12) ‖ ciphertext ‖ tag (16)
 *
 * The GCM associated data is `pakawaaz:seal:v1:<key name>:<key version>:<context>`: a blob opens only under
 * the key (name and version) and in the context (table, row, field) it was sealed for, and the leading format
 * byte and the version inside the blob let the key rotate and the format evolve without guessing.
 */
export const ENVELOPE_FORMAT = 1;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const AES_KEY_BYTES = 32;
const MAX_VERSION_CHARS = 64;
const VERSION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export class SealedDataError extends Error {
  override readonly name = 'SealedDataError';
}

export type Envelope = { keyVersion: string; iv: Buffer; body: Buffer };

export function envelopeAad(keyName: string, keyVersion: string, context: string): Buffer {
  return Buffer.from(`pakawaaz:seal:v${ENVELOPE_FORMAT}:${keyName}:${keyVersion}:${context}`, 'utf8');
}

export function isKeyVersion(v: string): boolean {
  return VERSION_PATTERN.test(v);
}

/** body = ciphertext ‖ tag, as both node:crypto and PKCS#11's CKM_AES_GCM produce it. */
export function encodeEnvelope(keyVersion: string, iv: Buffer, body: Buffer): Buffer {
  if (!isKeyVersion(keyVersion))
    throw new RangeError('key version must be 1-64 characters of [A-Za-z0-9._-]');
  if (iv.length !== IV_BYTES) throw new RangeError('the IV must be 12 bytes');
  const version = Buffer.from(keyVersion, 'ascii');
  return Buffer.concat([Buffer.from([ENVELOPE_FORMAT, version.length]), version, iv, body]);
}

/** Parses the frame only (no decryption); undefined when the bytes are not an envelope of this format. */
export function decodeEnvelope(sealed: Uint8Array): Envelope | undefined {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < 2 || b[0] !== ENVELOPE_FORMAT) return undefined;
  const n = b[1]!;
  if (n < 1 || n > MAX_VERSION_CHARS || b.length < 2 + n + IV_BYTES + TAG_BYTES) return undefined;
  const keyVersion = b.subarray(2, 2 + n).toString('latin1');
  if (!isKeyVersion(keyVersion)) return undefined;
  return {
    keyVersion,
    iv: b.subarray(2 + n, 2 + n + IV_BYTES),
    body: b.subarray(2 + n + IV_BYTES),
  };
}

export function gcmEncrypt(key: Buffer, iv: Buffer, plaintext: Uint8Array, aad: Buffer): Buffer {
  if (key.length !== AES_KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key');
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** Throws SealedDataError (never the cipher's own message) when the key, the AAD or any byte is wrong. */
export function gcmDecrypt(key: Buffer, iv: Buffer, body: Buffer, aad: Buffer): Buffer {
  if (key.length !== AES_KEY_BYTES) throw new RangeError('AES-256-GCM needs a 32-byte key');
  if (body.length < TAG_BYTES) throw new SealedDataError('sealed data is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv)
      .setAAD(aad)
      .setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealedDataError(
      'sealed data does not open with this key in this context (wrong key or tampered)',
    );
  }
}

/**
 * Seals with a key held in memory — a data key (DEK) from the data-key service, whose id is the key version.
 * The same bytes as KeyService.seal produces for a key of the service.
 */
export function sealWithKey(
  key: Buffer,
  ref: { name: string; version: string },
  plaintext: Uint8Array,
  context: string,
  iv: Buffer = randomBytes(IV_BYTES),
): Buffer {
  return encodeEnvelope(
    ref.version,
    iv,
    gcmEncrypt(key, iv, plaintext, envelopeAad(ref.name, ref.version, context)),
  );
}

export function openWithKey(
  key: Buffer,
  ref: { name: string; version: string },
  sealed: Uint8Array,
  context: string,
): Buffer {
  const env = decodeEnvelope(sealed);
  if (!env || env.keyVersion !== ref.version)
    throw new SealedDataError(`sealed data is not an envelope of key version ${ref.version}`);
  return gcmDecrypt(key, env.iv, env.body, envelopeAad(ref.name, ref.version, context));
}

/**
 * The format before the key service (releases up to 0.1): iv (12) ‖ ciphertext ‖ tag (16), with the caller's
 * AAD string as is. Data at rest in that format (SIM secrets, wrapped data keys, identity's secrets) keeps
 * opening; anything sealed from now on uses the envelope above.
 */
export function openLegacyRaw(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (b.length < IV_BYTES + TAG_BYTES) throw new SealedDataError('sealed data is truncated');
  return gcmDecrypt(key, b.subarray(0, IV_BYTES), b.subarray(IV_BYTES), Buffer.from(aad, 'utf8'));
}

/** HMAC-SHA-256 over the concatenated parts (fingerprints of secrets for equality checks). */
export function hmacSha256(key: Buffer, parts: readonly Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Key name in the AAD of data sealed with a data key; the key version is the data key's id. */
export const DATA_KEY_NAME = 'dek';

/** Seals with a plaintext data key (e.g. in a worker thread that was handed the key). */
export function sealWithDataKey(
  key: Buffer,
  dataKeyId: string,
  plaintext: Uint8Array,
  context: string,
): Buffer {
  return sealWithKey(key, { name: DATA_KEY_NAME, version: dataKeyId }, plaintext, context);
}

/**
 * Opens what `sealWithDataKey` sealed; `legacyAad`, when given, also opens the release-0.1 form of the same
 * field (iv ‖ ciphertext ‖ tag under that AAD string). An envelope is recognised by naming this very data key,
 * which random legacy bytes never do.
 */
export function openWithDataKey(
  key: Buffer,
  dataKeyId: string,
  sealed: Uint8Array,
  context: string,
  legacyAad?: string,
): Buffer {
  if (decodeEnvelope(sealed)?.keyVersion === dataKeyId)
    return openWithKey(key, { name: DATA_KEY_NAME, version: dataKeyId }, sealed, context);
  if (legacyAad !== undefined) return openLegacyRaw(key, sealed, legacyAad);
  throw new SealedDataError(`sealed data is not an envelope of data key ${dataKeyId}`);
}
