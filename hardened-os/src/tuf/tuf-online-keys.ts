import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { KEYS, type KeyService } from '@pakawaaz/platform';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from '../hardened-os.config.js';
import { hardenedOsError } from '../hardened-os.errors.js';
import { keyIdOf, publicKeyFromJwk, type TufSigner } from './tuf-keys.js';
import type { Envelope } from './tuf-metadata.js';

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

/** The online keys, opened once (at start-up: a node that cannot open them does not start). */
@Injectable()
export class TufOnlineKeys implements OnModuleInit {
  private opening?: Promise<OnlineSigners>;

  constructor(
    @Inject(KEYS) private readonly keys: KeyService,
    @Inject(HARDENED_OS_CONFIG) private readonly config: HardenedOsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.signers();
  }

  signers(): Promise<OnlineSigners> {
    return (this.opening ??= openOnlineSigners(this.keys, {
      timestamp: this.config.tufTimestampKeyFile,
      snapshot: this.config.tufSnapshotKeyFile,
    }));
  }

  /** The online key of `role`, refused when root no longer lists it (retired) or it is marked compromised. */
  async usable(
    role: 'timestamp' | 'snapshot',
    root: Envelope<'root'>,
    compromised: readonly string[],
  ): Promise<TufSigner> {
    const signer = (await this.signers())[role];
    if (compromised.includes(signer.keyid))
      throw hardenedOsError('tuf_key_refused', `The ${role} key ${signer.keyid} is marked compromised.`);
    if (!root.signed.roles[role].keyids.includes(signer.keyid))
      throw hardenedOsError(
        'tuf_key_refused',
        `Root does not list the server's ${role} key ${signer.keyid} (retired, or never added): sign a root that does.`,
      );
    return signer;
  }
}
