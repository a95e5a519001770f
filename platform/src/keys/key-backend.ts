import type { JWK } from 'jose';

/** Signature algorithms of signing keys (JWS names). */
export type SigningAlg = 'ES256' | 'EdDSA';

/**
 * A named key of the key service. `file` is where the file backend keeps it (an HSM backend ignores it and
 * names its token objects after `name`).
 */
export type KeyRef = { readonly name: string; readonly file: string };

/**
 * A key set: versioned AES-256 sealing keys (one active; more only during a rotation) and one HMAC-SHA-256 key
 * for fingerprints, which rotations leave alone (the fingerprints are stored).
 */
export type KeySetState = {
  readonly active: string;
  readonly versions: readonly string[];
  readonly hasMac: boolean;
};

export type SignerInfo = { readonly alg: SigningAlg; readonly publicJwk: JWK };

export type KeyErrorCode =
  | 'key_missing'
  | 'key_unreadable'
  | 'key_permissions'
  | 'key_invalid'
  | 'key_version_unknown'
  | 'key_backend';

/** Start-up and key-store failures: the message names the key's location and what to do, never the key. */
export class KeyError extends Error {
  override readonly name = 'KeyError';
  constructor(
    readonly code: KeyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Where keys live: files on disk (default) or a PKCS#11 token. Backends hold the key material (or the token's
 * handles); the key service above them owns the formats, the policies and the rotation protocol.
 */
export type KeyBackend = {
  readonly kind: 'file' | 'pkcs11';
  /** Human location of a key for messages: a file path, or a token object label. */
  where(key: KeyRef): string;
  /** The key set as stored now (re-read when `fresh`: another node may have rotated); undefined when absent. */
  keySet(key: KeyRef, fresh?: boolean): Promise<KeySetState | undefined>;
  /** Creates the key set unless it exists; racing creators (two nodes, two processes) end up with one. */
  createKeySet(key: KeyRef): Promise<KeySetState>;
  /** Rotation step 1: a new active version; the others stay until step 3. */
  addVersion(key: KeyRef): Promise<KeySetState>;
  /** Rotation step 3: drop every version but the active one. */
  dropInactive(key: KeyRef): Promise<KeySetState>;
  /** AES-256-GCM with the given version: returns ciphertext ‖ tag. */
  encrypt(key: KeyRef, version: string, iv: Buffer, plaintext: Uint8Array, aad: Buffer): Promise<Buffer>;
  decrypt(key: KeyRef, version: string, iv: Buffer, body: Buffer, aad: Buffer): Promise<Buffer>;
  /** HMAC-SHA-256 with the set's MAC key over the concatenated parts. */
  mac(key: KeyRef, parts: readonly Uint8Array[]): Promise<Buffer>;
  signer(key: KeyRef, alg: SigningAlg): Promise<SignerInfo | undefined>;
  createSigner(key: KeyRef, alg: SigningAlg): Promise<SignerInfo>;
  /** A JWS signature over data: r ‖ s (64 bytes) for ES256, the 64-byte signature for EdDSA. */
  sign(key: KeyRef, alg: SigningAlg, data: Uint8Array): Promise<Buffer>;
  close(): Promise<void>;
};
