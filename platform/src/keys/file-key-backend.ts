import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import type { JWK } from 'jose';
import { z } from 'zod';
import { gcmDecrypt, gcmEncrypt, hmacSha256 } from '@pakawaaz/envelope';
import {
  KeyError,
  type KeyBackend,
  type KeyRef,
  type KeySetState,
  type SignerInfo,
  type SigningAlg,
} from './key-backend.js';
import { createKeyFile, parseKeyJson, readKeyFile, replaceKeyFile } from './key-files.js';
import { newVersionId } from './key-versions.js';

const B64_KEY = /^[A-Za-z0-9+/]{43}=$/;

/**
 * A key-set file (JSON, 0600): `keys` holds every AES-256 version that may still seal data (the active one and,
 * during a rotation, the previous one), `macKey` the fingerprint key. The same shape as the SIM KEK file of
 * release 0.1 (PAKAWAAZ_KEK_FILE), so existing files load as they are.
 */
const KeySetFile = z
  .object({
    version: z.literal(1),
    active: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    keys: z.record(
      z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
      z.string().regex(B64_KEY, 'a 32-byte base64 key'),
    ),
    macKey: z.string().regex(B64_KEY, 'a 32-byte base64 key').optional(),
  })
  .strict()
  .refine((f) => f.active in f.keys, { message: 'the active key is not in keys' });
type KeySetFile = z.infer<typeof KeySetFile>;

/** The version name given to a release-0.1 single-key file (identity's secrets key: base64 of 32 bytes). */
export const LEGACY_VERSION = 'legacy';

type LoadedSet = { file: KeySetFile; keys: Map<string, Buffer>; mac: Buffer | undefined };
type LoadedSigner = { alg: SigningAlg; privateKey: KeyObject; publicJwk: JWK };

/** Keys in files under the data folder (or where PAKAWAAZ_*_FILE variables put them). */
export class FileKeyBackend implements KeyBackend {
  readonly kind = 'file';
  private readonly sets = new Map<string, LoadedSet>();
  private readonly signers = new Map<string, LoadedSigner>();

  where(key: KeyRef): string {
    return key.file;
  }

  async keySet(key: KeyRef, fresh = false): Promise<KeySetState | undefined> {
    const set = fresh ? await this.loadSet(key) : (this.sets.get(key.file) ?? (await this.loadSet(key)));
    return set && state(set);
  }

  async createKeySet(key: KeyRef): Promise<KeySetState> {
    const id = newVersionId([]);
    const content: KeySetFile = {
      version: 1,
      active: id,
      keys: { [id]: randomBytes(32).toString('base64') },
      macKey: randomBytes(32).toString('base64'),
    };
    await createKeyFile(key.file, JSON.stringify(content, null, 2));
    const set = await this.loadSet(key);
    if (!set) throw new KeyError('key_missing', `The key file ${key.file} vanished while being created.`);
    return state(set);
  }

  async addVersion(key: KeyRef): Promise<KeySetState> {
    const set = await this.mustLoad(key);
    const id = newVersionId(Object.keys(set.file.keys));
    return this.replace(key, {
      version: 1,
      active: id,
      keys: { ...set.file.keys, [id]: randomBytes(32).toString('base64') },
      // A legacy single-key file had no MAC key: it gets one with its first rotation.
      macKey: set.file.macKey ?? randomBytes(32).toString('base64'),
    });
  }

  async dropInactive(key: KeyRef): Promise<KeySetState> {
    const set = await this.mustLoad(key);
    const active = set.file.active;
    return this.replace(key, { ...set.file, keys: { [active]: set.file.keys[active]! } });
  }

  async encrypt(
    key: KeyRef,
    version: string,
    iv: Buffer,
    plaintext: Uint8Array,
    aad: Buffer,
  ): Promise<Buffer> {
    return gcmEncrypt(await this.aesKey(key, version), iv, plaintext, aad);
  }

  async decrypt(key: KeyRef, version: string, iv: Buffer, body: Buffer, aad: Buffer): Promise<Buffer> {
    return gcmDecrypt(await this.aesKey(key, version), iv, body, aad);
  }

  async mac(key: KeyRef, parts: readonly Uint8Array[]): Promise<Buffer> {
    const set = this.sets.get(key.file) ?? (await this.mustLoad(key));
    if (!set.mac)
      throw new KeyError(
        'key_invalid',
        `The key file ${key.file} has no MAC key (a single-key file from release 0.1).`,
      );
    return hmacSha256(set.mac, parts);
  }

  async signer(key: KeyRef, alg: SigningAlg): Promise<SignerInfo | undefined> {
    const s = this.signers.get(key.file) ?? (await this.loadSigner(key, alg));
    return s && { alg: s.alg, publicJwk: s.publicJwk };
  }

  async createSigner(key: KeyRef, alg: SigningAlg): Promise<SignerInfo> {
    const pair =
      alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    const jwk = { ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig' };
    await createKeyFile(key.file, JSON.stringify(jwk));
    const s = await this.loadSigner(key, alg);
    if (!s) throw new KeyError('key_missing', `The key file ${key.file} vanished while being created.`);
    return { alg: s.alg, publicJwk: s.publicJwk };
  }

  async sign(key: KeyRef, alg: SigningAlg, data: Uint8Array): Promise<Buffer> {
    const s = this.signers.get(key.file) ?? (await this.loadSigner(key, alg));
    if (!s) throw new KeyError('key_missing', `The signing key ${key.file} is missing.`);
    // ieee-p1363 is JWS's r ‖ s encoding for ECDSA; Ed25519 signs the message itself (no digest).
    return alg === 'ES256'
      ? cryptoSign('sha256', data, { key: s.privateKey, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, data, s.privateKey);
  }

  close(): Promise<void> {
    this.sets.clear();
    this.signers.clear();
    return Promise.resolve();
  }

  private async aesKey(key: KeyRef, version: string): Promise<Buffer> {
    let k = this.sets.get(key.file)?.keys.get(version);
    // Another node may have rotated: pick up the file once.
    if (!k) k = (await this.loadSet(key))?.keys.get(version);
    if (!k)
      throw new KeyError('key_version_unknown', `Key version ${version} is not in the key file ${key.file}.`);
    return k;
  }

  private async mustLoad(key: KeyRef): Promise<LoadedSet> {
    const set = await this.loadSet(key);
    if (!set) throw new KeyError('key_missing', `The key file ${key.file} is missing.`);
    return set;
  }

  private async loadSet(key: KeyRef): Promise<LoadedSet | undefined> {
    const text = await readKeyFile(key.file, `key file for ${key.name}`);
    if (text === undefined) return undefined;
    const file = parseKeySet(text, key.file);
    const set = {
      file,
      keys: new Map(Object.entries(file.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])),
      mac: file.macKey === undefined ? undefined : Buffer.from(file.macKey, 'base64'),
    };
    this.sets.set(key.file, set);
    return set;
  }

  private async replace(key: KeyRef, content: KeySetFile): Promise<KeySetState> {
    await replaceKeyFile(key.file, JSON.stringify(content, null, 2));
    const set = await this.mustLoad(key);
    return state(set);
  }

  private async loadSigner(key: KeyRef, alg: SigningAlg): Promise<LoadedSigner | undefined> {
    const text = await readKeyFile(key.file, `${alg} signing key`);
    if (text === undefined) return undefined;
    const jwk = parseKeyJson(text) as JWK | undefined;
    if (jwk === undefined)
      throw new KeyError(
        'key_invalid',
        `Cannot read the signing key ${key.file}: not valid JSON. Fix or remove the file.`,
      );
    const s = toSigner(jwk, alg, key.file);
    this.signers.set(key.file, s);
    return s;
  }
}

function state(set: LoadedSet): KeySetState {
  return { active: set.file.active, versions: [...set.keys.keys()], hasMac: set.mac !== undefined };
}

function parseKeySet(text: string, file: string): KeySetFile {
  const trimmed = text.trim();
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed))
    return { version: 1, active: LEGACY_VERSION, keys: { [LEGACY_VERSION]: trimmed } };
  const json = parseKeyJson(text);
  if (json === undefined)
    throw new KeyError(
      'key_invalid',
      `The key file ${file} is neither a key-set JSON file nor base64 of 32 bytes. Restore it from your key backup.`,
    );
  const parsed = KeySetFile.safeParse(json);
  if (!parsed.success)
    throw new KeyError(
      'key_invalid',
      // Paths and messages only: zod's issues never carry the values here (regex and shape checks).
      `The key file ${file} is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}. Restore it from your key backup.`,
    );
  return parsed.data;
}

function toSigner(jwk: JWK, alg: SigningAlg, file: string): LoadedSigner {
  const ok =
    alg === 'ES256'
      ? jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.d === 'string'
      : jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.d === 'string';
  if (!ok)
    throw new KeyError(
      'key_invalid',
      `The signing key ${file} must be a private ${alg === 'ES256' ? 'P-256' : 'Ed25519'} JWK. Fix or remove the file.`,
    );
  try {
    const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
    const pub = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    const publicJwk: JWK =
      alg === 'ES256'
        ? { kty: 'EC', crv: 'P-256', x: pub.x, y: pub.y }
        : { kty: 'OKP', crv: 'Ed25519', x: pub.x };
    return { alg, privateKey, publicJwk };
  } catch {
    throw new KeyError(
      'key_invalid',
      `The signing key ${file} is not a valid ${alg} key. Fix or remove the file.`,
    );
  }
}
