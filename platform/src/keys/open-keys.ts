import type { Logger } from 'pino';
import { ConfigError } from '../config/config.js';
import type { PlatformConfig } from '../config/platform.config.js';
import type { DatabaseHandle } from '../db/database.js';
import { FileKeyBackend } from './file-key-backend.js';
import type { KeyBackend } from './key-backend.js';
import { readKeyFile } from './key-files.js';
import { KeyService } from './key.service.js';
import { Pkcs11KeyBackend } from './pkcs11-key-backend.js';

/** Advisory lock under which nodes load-or-create keys at start-up. */
const KEY_CREATION_LOCK = 0x706b7a63;

type KeyBackendConfig = Pick<
  PlatformConfig,
  | 'PAKAWAAZ_KEY_BACKEND'
  | 'PAKAWAAZ_PKCS11_MODULE'
  | 'PAKAWAAZ_PKCS11_TOKEN_LABEL'
  | 'PAKAWAAZ_PKCS11_PIN_FILE'
>;

/** Opens the configured key backend (the PKCS#11 one logs in to its token here, before anything starts). */
export async function openKeyBackend(config: KeyBackendConfig): Promise<KeyBackend> {
  if (config.PAKAWAAZ_KEY_BACKEND === 'file') return new FileKeyBackend();
  const missing = (
    [
      ['PAKAWAAZ_PKCS11_MODULE', 'the path of the PKCS#11 library (e.g. /usr/lib/softhsm/libsofthsm2.so)'],
      ['PAKAWAAZ_PKCS11_TOKEN_LABEL', 'the label of the token that holds the keys'],
      ['PAKAWAAZ_PKCS11_PIN_FILE', "a file (mode 0600) with the token's user PIN"],
    ] as const
  ).filter(([v]) => !config[v]);
  if (missing.length > 0)
    throw new ConfigError(
      missing.map(([variable, what]) => ({
        variable,
        expected: `${what}: required with PAKAWAAZ_KEY_BACKEND=pkcs11`,
      })),
    );
  const pinFile = config.PAKAWAAZ_PKCS11_PIN_FILE!;
  const pin = (await readKeyFile(pinFile, 'PKCS#11 PIN file'))?.trim();
  if (!pin)
    throw new ConfigError([
      { variable: 'PAKAWAAZ_PKCS11_PIN_FILE', expected: `${pinFile} is missing or empty` },
    ]);
  return Pkcs11KeyBackend.open({
    modulePath: config.PAKAWAAZ_PKCS11_MODULE!,
    tokenLabel: config.PAKAWAAZ_PKCS11_TOKEN_LABEL!,
    pin,
  });
}

export async function openKeyService(
  config: KeyBackendConfig,
  logger: Logger,
  database?: DatabaseHandle,
): Promise<KeyService> {
  const backend = await openKeyBackend(config);
  return new KeyService(
    backend,
    logger,
    database ? (fn) => database.withExclusiveLock(KEY_CREATION_LOCK, fn) : undefined,
  );
}
