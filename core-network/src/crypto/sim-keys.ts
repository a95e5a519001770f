import {
  DataKeyService,
  hasDataKeys,
  openWithDataKey,
  sealWithDataKey,
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

/** Where a sealed SIM value belongs (the envelope's context) and its release-0.1 AAD, which still opens. */
const simFieldContext = (imsi: string, field: 'k' | 'opc') => `sim:${imsi}:${field}`;
const legacySimFieldAad = (imsi: string, field: 'k' | 'opc') => `pakawaaz:sim:${imsi}:${field}`;
const importContext = (jobId: string) => `sim-import:${jobId}`;
const legacyImportAad = (jobId: string) => `pakawaaz:sim-import:${jobId}`;

export type DataKey = { id: string; key: Buffer };

export function sealSimField(dek: DataKey, imsi: string, field: 'k' | 'opc', value: Buffer): Buffer {
  return sealWithDataKey(dek.key, dek.id, value, simFieldContext(imsi, field));
}

export function openSimField(dek: DataKey, imsi: string, field: 'k' | 'opc', sealed: Buffer): Buffer {
  return openWithDataKey(
    dek.key,
    dek.id,
    sealed,
    simFieldContext(imsi, field),
    legacySimFieldAad(imsi, field),
  );
}

export function sealImportSource(dek: DataKey, jobId: string, csv: string): Buffer {
  return sealWithDataKey(dek.key, dek.id, Buffer.from(csv, 'utf8'), importContext(jobId));
}

export function openImportSource(dek: DataKey, jobId: string, sealed: Buffer): string {
  return openWithDataKey(dek.key, dek.id, sealed, importContext(jobId), legacyImportAad(jobId)).toString(
    'utf8',
  );
}

/** HMAC of K ‖ OPc with the sim-kek set's MAC key: equal SIMs compare equal without opening anything. */
export async function simSecretsFingerprint(keys: DataKeyService, k: Buffer, opc: Buffer): Promise<string> {
  return (await keys.kek.mac(k, opc)).toString('hex');
}
