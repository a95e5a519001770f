import { dataKeysTable } from '@pakawaaz/platform';
import { coreNetworkSchema } from '../core-network.schema.js';

export { bytea } from '@pakawaaz/platform';

/**
 * SIM data keys: AES-256 DEKs stored only wrapped by the `sim-kek` key set of the key service
 * (PAKAWAAZ_KEK_FILE, or an HSM). Rotating the KEK re-wraps these rows; SIM secrets stay as they are.
 */
export const dataKeys = dataKeysTable(coreNetworkSchema);
