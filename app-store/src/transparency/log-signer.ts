import type { KeyService } from '@pakawaaz/platform';
import type { NoteSigner } from '@pakawaaz/transparency-log';

/** The key service's name of the log key (a token object label with the PKCS#11 backend). */
export const STORE_LOG_KEY = 'store-log';

/**
 * The log's Ed25519 key from the key service (created on first start, like the audit checkpoint key; every
 * node of a cluster mounts the same file or token), as a C2SP signed-note signer named after the log's origin.
 * C2SP signed notes have one signature type worth serving, Ed25519 (type 0x01): hence EdDSA, not ES256.
 */
export async function useStoreLogSigner(
  keys: KeyService,
  config: { logOrigin: string; logKeyFile: string },
): Promise<NoteSigner> {
  const signer = await keys.useSigner({ name: STORE_LOG_KEY, file: config.logKeyFile, alg: 'EdDSA' });
  const { crv, x } = signer.publicJwk;
  if (crv !== 'Ed25519' || typeof x !== 'string') throw new Error('the store-log key is not an Ed25519 key');
  return { name: config.logOrigin, publicKey: Buffer.from(x, 'base64url'), sign: (m) => signer.sign(m) };
}
