import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const deviceMgmtDomain: DomainDescriptor = {
  name: 'device-mgmt',
  pgSchema: 'device_mgmt',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
};
