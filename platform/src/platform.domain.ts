import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from './db/domain.js';

export const platformDomain: DomainDescriptor = {
  name: 'platform',
  pgSchema: 'platform',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
};
