import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Logger } from 'pino';
import {
  decodeEnvelope,
  encodeEnvelope,
  envelopeAad,
  IV_BYTES,
  SealedDataError,
  TAG_BYTES,
} from '@pakawaaz/envelope';
import { toLowS } from './jws.js';
import { KeyError, type KeyBackend, type KeyRef, type KeySetState, type SigningAlg } from './key-backend.js';

/** Nest token of the KeyService (opened by the composition root, like the database). */
export const KEYS = Symbol.for('pakawaaz.KeyService');

export type KeySetSpec = KeyRef & {
  /** What the key protects, for messages: "SIM secrets", "TOTP seeds and RADIUS client secrets". */
  readonly protects: string;
  /** The variable that moves the file, named in messages (the file backend's location). */
  readonly fileVariable?: string | undefined;
  /**
   * Whether data sealed under the key exists. Then a missing key stops start-up: a new key cannot open that
   * data, and creating one would hide the loss until the first request fails.
   */
  readonly inUse: () => Promise<boolean>;
};

export type SignerSpec = KeyRef & { readonly alg: SigningAlg };

/** A signing key: the private half stays in the backend (a file read once, or the token). */
export type Signer = {
  readonly name: string;
  readonly alg: SigningAlg;
  /** RFC 7638 thumbprint of the public key: every node using the same key publishes the same kid. */
  readonly kid: string;
  /** The public JWK with kid, alg and use, as a JWKS publishes it. */
  readonly publicJwk: JWK;
  /** JWS signature over data (ES256: r ‖ s). */
  sign(data: Uint8Array): Promise<Buffer>;
};

/**
 * The kernel's key service: named keys per purpose in one backend (files or a PKCS#11 token), sealing in one
 * envelope format, the missing-key policy of start-up, and signing keys with their public JWK.
 */
export class KeyService {
  constructor(
    readonly backend: KeyBackend,
    private readonly logger: Logger,
    /**
     * Runs a load-or-create under a cluster-wide lock (the composition root passes the database's advisory
     * lock), so two nodes starting at once never create two keys in a token that has no atomic create.
     */
    private readonly serialize: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
  ) {}

  /**
   * Loads a key set, or creates it when no data depends on it. A missing key that sealed data depends on stops
   * start-up with a message naming its location and what to do.
   */
  async useKeySet(spec: KeySetSpec): Promise<KeySet> {
    return this.serialize(() => this.loadOrCreateKeySet(spec));
  }

  private async loadOrCreateKeySet(spec: KeySetSpec): Promise<KeySet> {
    let state = await this.backend.keySet(spec, true);
    if (!state) {
      const where = this.backend.where(spec);
      if (await spec.inUse())
        throw new KeyError(
          'key_missing',
          `The key ${where} is missing, but the database holds ${spec.protects} sealed under it. ` +
            `Restore it from your key backup${spec.fileVariable && this.backend.kind === 'file' ? ` (or set ${spec.fileVariable} to where it is)` : ''}; a new key cannot open them.`,
        );
      state = await this.backend.createKeySet(spec);
      this.logger.info({ key: spec.name, where }, `created the key for ${spec.protects}`);
    }
    return new KeySet(this.backend, { name: spec.name, file: spec.file }, state);
  }

  /** Loads a signing key, creating it on first start (nothing at rest depends on it: tokens expire). */
  async useSigner(spec: SignerSpec): Promise<Signer> {
    const info = await this.serialize(async () => {
      const found = await this.backend.signer(spec, spec.alg);
      if (found) return found;
      const created = await this.backend.createSigner(spec, spec.alg);
      this.logger.info(
        { key: spec.name, where: this.backend.where(spec) },
        `created the ${spec.alg} signing key`,
      );
      return created;
    });
    const kid = await calculateJwkThumbprint(info.publicJwk, 'sha256');
    const backend = this.backend;
    const ref: KeyRef = { name: spec.name, file: spec.file };
    return {
      name: spec.name,
      alg: spec.alg,
      kid,
      publicJwk: { ...info.publicJwk, kid, alg: spec.alg, use: 'sig' },
      // Low-S only (jws.ts): a backend's ECDSA, HSMs included, gives either half.
      sign: async (data) => {
        const sig = await backend.sign(ref, spec.alg, data);
        return spec.alg === 'ES256' ? toLowS(sig) : sig;
      },
    };
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** How `KeySet.sealText` marks a sealed value in a text column. */
export const SEALED_TEXT_PREFIX = 's1.';

/** One key set: seal/open with its versions, the MAC, and the steps of a rotation. */
export class KeySet {
  constructor(
    private readonly backend: KeyBackend,
    private readonly ref: KeyRef,
    private current: KeySetState,
  ) {}

  get name(): string {
    return this.ref.name;
  }

  /** The active version as last seen (`fresh`: as stored now, e.g. under a rotation lock). */
  async state(fresh = false): Promise<KeySetState> {
    if (fresh) {
      const s = await this.backend.keySet(this.ref, true);
      if (!s) throw new KeyError('key_missing', `The key ${this.backend.where(this.ref)} has disappeared.`);
      this.current = s;
    }
    return this.current;
  }

  /** Seals under the active version; `fresh` re-reads which version is active first (another node may have rotated). */
  async seal(plaintext: Uint8Array, context: string, opts: { fresh?: boolean } = {}): Promise<Buffer> {
    const { active } = await this.state(opts.fresh);
    const iv = randomBytes(IV_BYTES);
    const body = await this.backend.encrypt(
      this.ref,
      active,
      iv,
      plaintext,
      envelopeAad(this.ref.name, active, context),
    );
    return encodeEnvelope(active, iv, body);
  }

  /** Opens an envelope sealed under any version the set still holds; throws SealedDataError when it does not open. */
  async open(sealed: Uint8Array, context: string): Promise<Buffer> {
    const env = decodeEnvelope(sealed);
    if (!env) throw new SealedDataError('not sealed data of this format');
    return this.backend.decrypt(
      this.ref,
      env.keyVersion,
      env.iv,
      env.body,
      envelopeAad(this.ref.name, env.keyVersion, context),
    );
  }

  /**
   * `seal` for a text column: `s1.<base64url of the envelope>` (SEALED_TEXT_PREFIX), the one stored form of a
   * sealed value (identity's secrets, media hosts' admin secrets, bots' webhook secrets).
   */
  async sealText(plaintext: Uint8Array | string, context: string): Promise<string> {
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    return SEALED_TEXT_PREFIX + (await this.seal(bytes, context)).toString('base64url');
  }

  /** Opens `sealText`'s form; throws SealedDataError for any other value or one that does not open. */
  async openText(sealed: string, context: string): Promise<Buffer> {
    if (!sealed.startsWith(SEALED_TEXT_PREFIX)) throw new SealedDataError('not a sealed value (s1.)');
    return this.open(Buffer.from(sealed.slice(SEALED_TEXT_PREFIX.length), 'base64url'), context);
  }

  /** The version a blob was sealed under (rotation: what still needs re-sealing), undefined for other bytes. */
  versionOf(sealed: Uint8Array): string | undefined {
    return decodeEnvelope(sealed)?.keyVersion;
  }

  /**
   * Opens data sealed before the key service (release 0.1): iv ‖ ciphertext ‖ tag under a named version, with
   * the caller's old AAD string. Everything new is sealed with `seal`.
   */
  async openLegacy(version: string, sealed: Uint8Array, aad: string): Promise<Buffer> {
    const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (b.length < IV_BYTES + TAG_BYTES) throw new SealedDataError('sealed data is truncated');
    return this.backend.decrypt(
      this.ref,
      version,
      b.subarray(0, IV_BYTES),
      b.subarray(IV_BYTES),
      Buffer.from(aad, 'utf8'),
    );
  }

  /** HMAC-SHA-256 with the set's MAC key: fingerprints of secrets, comparable without opening them. */
  mac(...parts: Uint8Array[]): Promise<Buffer> {
    return this.backend.mac(this.ref, parts);
  }

  /** Rotation step 1 (under the caller's exclusive lock): a new active version. */
  async addVersion(): Promise<KeySetState> {
    this.current = await this.backend.addVersion(this.ref);
    return this.current;
  }

  /** Rotation step 3: forget every version but the active one. */
  async dropInactive(): Promise<KeySetState> {
    this.current = await this.backend.dropInactive(this.ref);
    return this.current;
  }
}
