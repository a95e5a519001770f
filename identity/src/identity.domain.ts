import { fileURLToPath } from 'node:url';
import type { DomainDescriptor } from '@pakawaaz/platform';

// What identity brings to the kernel's registries (type level; the metadata is in `auth` below).
// `interface`: only interfaces merge across modules, which is how a domain extends the kernel's unions.
declare module '@pakawaaz/platform' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface RoleRegistry {
    billing: 'institution';
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface AmrRegistry {
    pwd: true;
    otp: true;
    hwk: true;
    swk: true;
    sim: true;
    mfa: true;
    pop: true;
  }
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface ActorKindRegistry {
    operator: true;
    official: true;
    'api-token': true;
  }
}

export const identityDomain = {
  name: 'identity',
  pgSchema: 'identity',
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  status: 'active',
  auth: {
    roles: {
      // Usage records (RADIUS accounting) live in identity until metering has its own domain.
      billing: { description: 'usage and fees', scope: 'institution' },
    },
    // RFC 8176 authentication method reference values identity's sign-in produces.
    amr: {
      pwd: 'password',
      otp: 'one-time password (TOTP or a recovery code)',
      hwk: 'proof of possession of a hardware-secured key (passkey, attested device key)',
      swk: 'proof of possession of a software-secured key',
      sim: 'SIM (EAP-AKA / EAP-AKA′)',
      mfa: 'multiple factors',
      pop: 'proof of possession of a key',
    },
    actorKinds: {
      operator: 'a NOC operator (access token)',
      official: 'an official (access token, usually from a handset)',
      'api-token': 'an automation token (pkz_…)',
    },
  },
} as const satisfies DomainDescriptor;
