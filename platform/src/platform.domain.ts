import { fileURLToPath } from 'node:url';
import { KERNEL_AUTH } from './auth/registry.js';
import type { DomainDescriptor } from './db/domain.js';

export const platformDomain = {
  name: 'platform',
  pgSchema: 'platform',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  auth: KERNEL_AUTH,
} as const satisfies DomainDescriptor;
