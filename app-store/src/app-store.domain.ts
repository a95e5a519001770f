import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

// Type-level role registration (`interface`: only interfaces merge across modules).
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'app-reviewer': 'institution';
  }
}

export const appStoreDomain = {
  name: 'app-store',
  pgSchema: 'app_store',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'planned',
  auth: {
    roles: {
      'app-reviewer': { description: 'app store reviews and catalogues', scope: 'institution' },
    },
  },
} as const satisfies DomainDescriptor;
