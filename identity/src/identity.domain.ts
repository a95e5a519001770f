import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const identityDomain: DomainDescriptor = {
  name: 'identity',
  pgSchema: 'identity',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
};
