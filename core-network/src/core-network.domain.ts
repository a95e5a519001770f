import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const coreNetworkDomain: DomainDescriptor = {
  name: 'core-network',
  pgSchema: 'core_network',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
};
