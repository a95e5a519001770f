import { importJWK, type CryptoKey } from 'jose';
import type { KeyService, Signer } from '@pakawaaz/platform';
import type { SigningKey } from './access-token.js';

/** The key service's name of the token-signing key (a token object label with the PKCS#11 backend). */
export const TOKEN_SIGNING_KEY = 'token-signing';

/**
 * The ES256 token-signing key from the key service: the JWK file of PAKAWAAZ_TOKEN_SIGNING_KEY_FILE (created
 * 0600 on first start; every node of a cluster mounts the same file), or a key pair in the HSM. Rotation
 * (several keys in the JWKS) arrives with identity sessions.
 */
export async function useTokenSigningKey(keys: KeyService, file: string): Promise<SigningKey> {
  return signingKeyOf(await keys.useSigner({ name: TOKEN_SIGNING_KEY, file, alg: 'ES256' }));
}

/** Verification uses the public key in memory (a CryptoKey, as before): checking a token never asks the HSM. */
export async function signingKeyOf(signer: Signer): Promise<SigningKey> {
  const { kty, crv, x, y } = signer.publicJwk;
  return {
    kid: signer.kid,
    signer,
    // An EC JWK always imports as a CryptoKey (only 'oct' keys come back as bytes).
    publicKey: (await importJWK({ kty, crv, x, y, alg: 'ES256' }, 'ES256')) as CryptoKey,
  };
}
