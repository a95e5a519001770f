import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

// Type-level role registration (`interface`: only interfaces merge across modules).
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    'app-reviewer': 'institution';
    developer: 'institution';
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface CapabilityRegistry {
    'app-store': true;
  }
}

export const appStoreDomain = {
  name: 'app-store',
  pgSchema: 'app_store',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  auth: {
    roles: {
      'app-reviewer': { description: 'app store reviews and catalogues', scope: 'institution' },
      // Held nationally by a vendor's developers; inside an institution by its own. Which apps a developer
      // may publish is decided by membership of a developer organisation, not by the role alone.
      developer: {
        description: 'publish APKs of the developer organisations one belongs to',
        scope: 'institution',
      },
    },
    capabilities: {
      // The pilot's handsets need the institution's essential apps to be useful at all.
      'app-store': {
        description: "install apps from the institution's signed catalogue",
        firstPhase: 'pilot',
      },
    },
  },
} as const satisfies DomainDescriptor;
