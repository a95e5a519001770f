import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const appStoreDomain: DomainDescriptor = {
  name: 'app-store',
  pgSchema: 'app_store',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
};
