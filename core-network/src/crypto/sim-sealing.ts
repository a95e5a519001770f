import { openWithDataKey, sealWithDataKey } from '@pakawaaz/envelope';

/*
 * Sealing of SIM secrets and import uploads under a plaintext data key. Pure (the envelope package and
 * node:crypto only), so the SIM import's worker threads seal with the data key they are handed, in exactly
 * the format the server opens.
 */

export type DataKey = { id: string; key: Buffer };

/** Where a sealed SIM value belongs (the envelope's context) and its release-0.1 AAD, which still opens. */
const simFieldContext = (imsi: string, field: 'k' | 'opc') => `sim:${imsi}:${field}`;
const legacySimFieldAad = (imsi: string, field: 'k' | 'opc') => `pakawaaz:sim:${imsi}:${field}`;
/** A stored block of an upload: bound to its job and place, so blocks cannot be swapped or replayed. */
const importBlockContext = (jobId: string, seq: number) => `sim-import:${jobId}:block:${seq}`;

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

export function sealImportBlock(dek: DataKey, jobId: string, seq: number, bytes: Uint8Array): Buffer {
  return sealWithDataKey(dek.key, dek.id, bytes, importBlockContext(jobId, seq));
}

export function openImportBlock(dek: DataKey, jobId: string, seq: number, sealed: Uint8Array): Buffer {
  return openWithDataKey(dek.key, dek.id, sealed, importBlockContext(jobId, seq));
}
