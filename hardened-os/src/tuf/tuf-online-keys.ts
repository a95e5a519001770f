import type { KeyService } from '@pakawaaz/platform';
import { keyIdOf, publicKeyFromJwk, type TufSigner } from './tuf-keys.js';

/** Key-service names of the online TUF keys (token object labels with the PKCS#11 backend). */
export const TUF_TIMESTAMP_KEY = 'tuf-timestamp';
export const TUF_SNAPSHOT_KEY = 'tuf-snapshot';

export type OnlineSigners = { timestamp: TufSigner; snapshot: TufSigner };

/**
 * The server's two online keys from the platform key service (an Ed25519 JWK file created 0600 on first
 * start, every node mounting the same file, or a key pair in the HSM): the private halves never leave it.
 * Root and targets keys are never here: they stay in the signing room.
 */
export async function openOnlineSigners(
  keys: KeyService,
  files: { timestamp: string; snapshot: string },
): Promise<OnlineSigners> {
  const open = async (name: string, file: string): Promise<TufSigner> => {
    const signer = await keys.useSigner({ name, file, alg: 'EdDSA' });
    const pub = publicKeyFromJwk(signer.publicJwk);
    return { keyid: keyIdOf(pub), public: pub, sign: (data) => signer.sign(data) };
  };
  return {
    timestamp: await open(TUF_TIMESTAMP_KEY, files.timestamp),
    snapshot: await open(TUF_SNAPSHOT_KEY, files.snapshot),
  };
}
