import {
  DataKeyService,
  hasDataKeys,
  type AuditService,
  type DatabaseHandle,
  type KeyService,
  type Logger,
} from '@pakawaaz/platform';
import type { CoreNetworkConfig } from '../core-network.config.js';
import { dataKeys } from './data-keys.schema.js';

/** Serialises KEK rotations with data-key creation across nodes (the value of release 0.1, kept for mixed clusters). */
export const SIM_KEK_ROTATION_LOCK = 0x706b7a6b;

/**
 * The SIM secrets' data keys under the `sim-kek` key set. A missing KEK stops start-up while wrapped data keys
 * exist (it must be restored); it is created only on a database without any.
 */
export async function openSimDataKeys(deps: {
  database: DatabaseHandle;
  keys: KeyService;
  config: Pick<CoreNetworkConfig, 'kekFile'>;
  audit: AuditService;
  logger: Logger;
}): Promise<DataKeyService> {
  const kek = await deps.keys.useKeySet({
    name: 'sim-kek',
    file: deps.config.kekFile,
    protects: 'SIM secrets (data keys wrapped by this KEK)',
    fileVariable: 'PAKAWAAZ_KEK_FILE',
    inUse: () => hasDataKeys(deps.database.db, dataKeys),
  });
  return new DataKeyService({
    database: deps.database,
    table: dataKeys,
    kek,
    lockKey: SIM_KEK_ROTATION_LOCK,
    audit: deps.audit,
    rotatedAction: 'core-network.kek.rotated',
    logger: deps.logger,
  });
}

export { openImportBlock, openSimField, sealImportBlock, sealSimField, type DataKey } from './sim-sealing.js';

/** HMAC of K ‖ OPc with the sim-kek set's MAC key: equal SIMs compare equal without opening anything. */
export async function simSecretsFingerprint(keys: DataKeyService, k: Buffer, opc: Buffer): Promise<string> {
  return (await keys.kek.mac(k, opc)).toString('hex');
}
