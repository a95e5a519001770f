import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** A public key as it appears in root metadata (TUF 1.0 "KEY" object, Ed25519 flavour). */
export type TufPublicKey = { keytype: 'ed25519'; scheme: 'ed25519'; keyval: { public: string } };

export type TufSigningKey = { keyid: string; public: TufPublicKey; privateKey: KeyObject };

export type TufSignature = { keyid: string; sig: string };

/**
 * Anything that signs for a role: a key file in the signing room (`localSigner`) or the server's online key
 * held by the platform key service (a file sealed at rest or an HSM object).
 */
export type TufSigner = { keyid: string; public: TufPublicKey; sign(data: Buffer): Promise<Buffer> };

export function localSigner(key: TufSigningKey): TufSigner {
  return {
    keyid: key.keyid,
    public: key.public,
    sign: (data) => Promise.resolve(sign(null, data, key.privateKey)),
  };
}

/** The TUF key of an Ed25519 public JWK (what the platform key service publishes for its signers). */
export function publicKeyFromJwk(jwk: { kty?: unknown; crv?: unknown; x?: unknown }): TufPublicKey {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string')
    throw new Error('not an Ed25519 public key');
  const raw = Buffer.from(jwk.x, 'base64url');
  if (raw.length !== 32) throw new Error('not an Ed25519 public key');
  return { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw.toString('hex') } };
}

/** keyid = hex SHA-256 of the canonical JSON of the key object (TUF spec §4.2). */
export function keyIdOf(key: TufPublicKey | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(key)).digest('hex');
}

export function generateSigningKey(): TufSigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return signingKeyFrom(privateKey);
}

export function signingKeyFrom(privateKey: KeyObject): TufSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('only Ed25519 keys are supported');
  const pub = publicKeyOf(createPublicKey(privateKey));
  return { keyid: keyIdOf(pub), public: pub, privateKey };
}

/** Reads a PKCS#8 PEM Ed25519 private key (the format our key files hold). */
export function signingKeyFromPem(pem: string): TufSigningKey {
  return signingKeyFrom(createPrivateKey({ key: pem, format: 'pem' }));
}

export function privateKeyPem(key: TufSigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

function publicKeyOf(key: KeyObject): TufPublicKey {
  return publicKeyFromJwk(key.export({ format: 'jwk' }));
}

/** Signs the canonical form of `signed`; the signature is hex as TUF writes it. */
export function signCanonical(signed: unknown, key: TufSigningKey): TufSignature {
  return { keyid: key.keyid, sig: sign(null, canonicalJson(signed), key.privateKey).toString('hex') };
}

/** True when `sig` is a valid Ed25519 signature by `key` over the canonical form of `signed`. */
export function verifyCanonical(signed: unknown, key: TufPublicKey, sig: string): boolean {
  if (key.keytype !== 'ed25519' || key.scheme !== 'ed25519') return false;
  if (!/^[0-9a-f]{64}$/.test(key.keyval.public) || !/^[0-9a-f]{128}$/.test(sig)) return false;
  let publicKey: KeyObject;
  try {
    const x = Buffer.from(key.keyval.public, 'hex').toString('base64url');
    publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    return false;
  }
  return verify(null, canonicalJson(signed), publicKey, Buffer.from(sig, 'hex'));
}
