import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type * as Pkcs11Types from 'pkcs11js';
import { SealedDataError } from '@pakawaaz/envelope';
import {
  KeyError,
  type KeyBackend,
  type KeyRef,
  type KeySetState,
  type SignerInfo,
  type SigningAlg,
} from './key-backend.js';
import { newestVersion, newVersionId } from './key-versions.js';
import {
  closePkcs11Session,
  openPkcs11Session,
  type Handle,
  type Pkcs11Module,
  type Pkcs11Options,
} from './pkcs11-session.js';

export type { Pkcs11Options } from './pkcs11-session.js';

// PKCS#11 3.0 values that pkcs11js has no names for.
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;
/** DER of the curve OIDs: prime256v1 (1.2.840.10045.3.1.7) and id-Ed25519 (1.3.101.112). */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
const ED25519_PARAMS = Buffer.from('06032b6570', 'hex');

/**
 * Keys in a PKCS#11 token (an HSM; softhsm2 in tests). Every key is generated inside the token as sensitive and
 * non-extractable, and used there: AES-256-GCM (CKM_AES_GCM) for sealing, HMAC-SHA-256 for fingerprints,
 * ECDSA P-256 (CKM_ECDSA over a SHA-256 digest, whose r ‖ s output is JWS's ES256 form) or EdDSA for signing.
 * Objects are labelled `pakawaaz/<key name>[/<version>|/mac]`.
 *
 * Calls are synchronous on one logged-in session: no two operations interleave on it, and a token's
 * operations take microseconds (softhsm2) to a few milliseconds (network HSMs); the hot paths (SIM
 * authentication, token verification) use data keys and public keys held in memory, not the token.
 */
export class Pkcs11KeyBackend implements KeyBackend {
  readonly kind = 'pkcs11';
  private readonly aes = new Map<string, Map<string, Handle>>();
  /** MAC and private signing keys by label: looked up once (the token's handles stay valid for the session). */
  private readonly handles = new Map<string, Handle>();

  private constructor(
    private readonly p: Pkcs11Module,
    private readonly mod: Pkcs11Types.PKCS11,
    private readonly modulePath: string,
    private readonly session: Handle,
    private readonly label: string,
  ) {}

  static async open(o: Pkcs11Options): Promise<Pkcs11KeyBackend> {
    const { p, mod, session } = await openPkcs11Session(o);
    return new Pkcs11KeyBackend(p, mod, o.modulePath, session, o.tokenLabel);
  }

  where(key: KeyRef): string {
    return `"pakawaaz/${key.name}" in the PKCS#11 token "${this.label}"`;
  }

  keySet(key: KeyRef, fresh = false): Promise<KeySetState | undefined> {
    const versions = fresh || !this.aes.has(key.name) ? this.scan(key) : this.aes.get(key.name)!;
    const active = newestVersion([...versions.keys()]);
    if (!active) return Promise.resolve(undefined);
    return Promise.resolve({
      active,
      versions: [...versions.keys()],
      hasMac: this.macHandle(key) !== undefined,
    });
  }

  async createKeySet(key: KeyRef): Promise<KeySetState> {
    if (this.scan(key).size === 0) this.generateAes(key, newVersionId([]));
    if (!this.macHandle(key)) this.generateMac(key);
    return (await this.keySet(key, true))!;
  }

  async addVersion(key: KeyRef): Promise<KeySetState> {
    this.generateAes(key, newVersionId([...this.scan(key).keys()]));
    return (await this.keySet(key, true))!;
  }

  async dropInactive(key: KeyRef): Promise<KeySetState> {
    const versions = this.scan(key);
    const active = newestVersion([...versions.keys()]);
    for (const [id, h] of versions) if (id !== active) this.mod.C_DestroyObject(this.session, h);
    return (await this.keySet(key, true))!;
  }

  encrypt(key: KeyRef, version: string, iv: Buffer, plaintext: Uint8Array, aad: Buffer): Promise<Buffer> {
    const h = this.aesHandle(key, version);
    this.mod.C_EncryptInit(this.session, this.gcm(iv, aad), h);
    return Promise.resolve(
      Buffer.from(
        this.mod.C_Encrypt(this.session, Buffer.from(plaintext), Buffer.alloc(plaintext.length + 16)),
      ),
    );
  }

  decrypt(key: KeyRef, version: string, iv: Buffer, body: Buffer, aad: Buffer): Promise<Buffer> {
    const h = this.aesHandle(key, version);
    this.mod.C_DecryptInit(this.session, this.gcm(iv, aad), h);
    try {
      return Promise.resolve(Buffer.from(this.mod.C_Decrypt(this.session, body, Buffer.alloc(body.length))));
    } catch {
      // The token reports a failed tag check as a general error; nothing in it is worth passing on.
      return Promise.reject(
        new SealedDataError(
          'sealed data does not open with this key in this context (wrong key or tampered)',
        ),
      );
    }
  }

  mac(key: KeyRef, parts: readonly Uint8Array[]): Promise<Buffer> {
    const h = this.macHandle(key);
    if (!h)
      return Promise.reject(new KeyError('key_missing', `The MAC key of ${this.where(key)} is missing.`));
    this.mod.C_SignInit(this.session, { mechanism: this.p.CKM_SHA256_HMAC }, h);
    return Promise.resolve(
      Buffer.from(this.mod.C_Sign(this.session, Buffer.concat(parts), Buffer.alloc(32))),
    );
  }

  signer(key: KeyRef, alg: SigningAlg): Promise<SignerInfo | undefined> {
    const pub = this.find(this.p.CKO_PUBLIC_KEY, `pakawaaz/${key.name}`)[0];
    if (!pub || !this.find(this.p.CKO_PRIVATE_KEY, `pakawaaz/${key.name}`)[0])
      return Promise.resolve(undefined);
    const [point] = this.mod.C_GetAttributeValue(this.session, pub, [{ type: this.p.CKA_EC_POINT }]);
    return Promise.resolve({ alg, publicJwk: publicJwkOf(alg, point!.value, this.where(key)) });
  }

  async createSigner(key: KeyRef, alg: SigningAlg): Promise<SignerInfo> {
    const p = this.p;
    const label = `pakawaaz/${key.name}`;
    const ed = alg === 'EdDSA';
    this.mod.C_GenerateKeyPair(
      this.session,
      { mechanism: ed ? CKM_EC_EDWARDS_KEY_PAIR_GEN : p.CKM_EC_KEY_PAIR_GEN },
      [
        { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY },
        { type: p.CKA_KEY_TYPE, value: ed ? CKK_EC_EDWARDS : p.CKK_EC },
        { type: p.CKA_TOKEN, value: true },
        { type: p.CKA_VERIFY, value: true },
        { type: p.CKA_EC_PARAMS, value: ed ? ED25519_PARAMS : P256_PARAMS },
        { type: p.CKA_LABEL, value: label },
      ],
      [
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_KEY_TYPE, value: ed ? CKK_EC_EDWARDS : p.CKK_EC },
        ...this.secretAttributes(label),
        { type: p.CKA_SIGN, value: true },
      ],
    );
    return (await this.signer(key, alg))!;
  }

  sign(key: KeyRef, alg: SigningAlg, data: Uint8Array): Promise<Buffer> {
    const priv = this.cached(this.p.CKO_PRIVATE_KEY, `pakawaaz/${key.name}`);
    if (!priv)
      return Promise.reject(new KeyError('key_missing', `The signing key ${this.where(key)} is missing.`));
    // ES256: CKM_ECDSA signs a digest and returns r ‖ s, each 32 bytes — exactly the JWS form (RFC 7518 §3.4).
    const es = alg === 'ES256';
    this.mod.C_SignInit(this.session, { mechanism: es ? this.p.CKM_ECDSA : CKM_EDDSA }, priv);
    const input = es ? createHash('sha256').update(data).digest() : Buffer.from(data);
    return Promise.resolve(Buffer.from(this.mod.C_Sign(this.session, input, Buffer.alloc(64))));
  }

  close(): Promise<void> {
    closePkcs11Session(this.mod, this.modulePath, this.session);
    return Promise.resolve();
  }

  /** Attributes every generated private or secret key carries: it lives in the token and never leaves it. */
  private secretAttributes(label: string): Pkcs11Types.Template {
    const p = this.p;
    return [
      { type: p.CKA_TOKEN, value: true },
      { type: p.CKA_PRIVATE, value: true },
      { type: p.CKA_SENSITIVE, value: true },
      { type: p.CKA_EXTRACTABLE, value: false },
      { type: p.CKA_LABEL, value: label },
    ];
  }

  private generateAes(key: KeyRef, version: string): void {
    const p = this.p;
    this.mod.C_GenerateKey(this.session, { mechanism: p.CKM_AES_KEY_GEN }, [
      { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
      { type: p.CKA_VALUE_LEN, value: 32 },
      ...this.secretAttributes(`pakawaaz/${key.name}/${version}`),
      { type: p.CKA_ENCRYPT, value: true },
      { type: p.CKA_DECRYPT, value: true },
      { type: p.CKA_WRAP, value: false },
      { type: p.CKA_UNWRAP, value: false },
    ]);
  }

  private generateMac(key: KeyRef): void {
    const p = this.p;
    this.mod.C_GenerateKey(this.session, { mechanism: p.CKM_GENERIC_SECRET_KEY_GEN }, [
      { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
      { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
      { type: p.CKA_VALUE_LEN, value: 32 },
      ...this.secretAttributes(`pakawaaz/${key.name}/mac`),
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_VERIFY, value: true },
    ]);
  }

  private gcm(iv: Buffer, aad: Buffer): Pkcs11Types.Mechanism {
    return {
      mechanism: this.p.CKM_AES_GCM,
      parameter: { type: this.p.CK_PARAMS_AES_GCM, iv, aad, ivBits: 96, tagBits: 128 } as Pkcs11Types.AesGCM,
    };
  }

  private find(cls: number, label?: string, keyType?: number): Handle[] {
    const p = this.p;
    const template: Pkcs11Types.Template = [{ type: p.CKA_CLASS, value: cls }];
    if (label !== undefined) template.push({ type: p.CKA_LABEL, value: label });
    if (keyType !== undefined) template.push({ type: p.CKA_KEY_TYPE, value: keyType });
    this.mod.C_FindObjectsInit(this.session, template);
    try {
      const out: Handle[] = [];
      for (;;) {
        const batch = this.mod.C_FindObjects(this.session, 64);
        if (batch.length === 0) return out;
        out.push(...batch);
      }
    } finally {
      this.mod.C_FindObjectsFinal(this.session);
    }
  }

  /** The AES versions of a key set as stored in the token now. */
  private scan(key: KeyRef): Map<string, Handle> {
    const prefix = `pakawaaz/${key.name}/`;
    const versions = new Map<string, Handle>();
    for (const h of this.find(this.p.CKO_SECRET_KEY, undefined, this.p.CKK_AES)) {
      const [attr] = this.mod.C_GetAttributeValue(this.session, h, [{ type: this.p.CKA_LABEL }]);
      const label = attr?.value?.toString('utf8') ?? '';
      if (label.startsWith(prefix)) versions.set(label.slice(prefix.length), h);
    }
    this.aes.set(key.name, versions);
    return versions;
  }

  private aesHandle(key: KeyRef, version: string): Handle {
    // Another node may have rotated: look in the token once more before giving up.
    const h = this.aes.get(key.name)?.get(version) ?? this.scan(key).get(version);
    if (!h)
      throw new KeyError(
        'key_version_unknown',
        `Key version ${version} of ${this.where(key)} is not in the token.`,
      );
    return h;
  }

  private macHandle(key: KeyRef): Handle | undefined {
    return this.cached(this.p.CKO_SECRET_KEY, `pakawaaz/${key.name}/mac`);
  }

  private cached(cls: number, label: string): Handle | undefined {
    const k = `${cls}:${label}`;
    let h = this.handles.get(k);
    if (!h) {
      h = this.find(cls, label)[0];
      if (h) this.handles.set(k, h);
    }
    return h;
  }
}

/** CKA_EC_POINT is a DER OCTET STRING holding the point: 04 ‖ x ‖ y for P-256, the 32-byte key for Ed25519. */
function publicJwkOf(alg: SigningAlg, der: Buffer, where: string): JWK {
  const point = der[0] === 0x04 && der[1] === der.length - 2 ? der.subarray(2) : der;
  if (alg === 'ES256' && point.length === 65 && point[0] === 0x04)
    return {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    };
  if (alg === 'EdDSA' && point.length === 32)
    return { kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url') };
  throw new KeyError('key_invalid', `The public key of ${where} is not a ${alg} key.`);
}
