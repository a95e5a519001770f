import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

export const hardenedOsDomain = {
  name: 'hardened-os',
  pgSchema: 'hardened_os',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
} as const satisfies DomainDescriptor;
