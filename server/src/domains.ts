import type { DynamicModule, Type } from '@nestjs/common';
import { AppStoreModule, appStoreDomain } from '@pakawaaz/app-store';
import { CoreNetworkModule, coreNetworkDomain, type CoreNetworkConfig } from '@pakawaaz/core-network';
import { DeviceMgmtModule, deviceMgmtDomain } from '@pakawaaz/device-mgmt';
import { HardenedOsModule, hardenedOsDomain } from '@pakawaaz/hardened-os';
import { identityDomain } from '@pakawaaz/identity';
import { platformDomain, type DomainDescriptor, type DomainName } from '@pakawaaz/platform';
import { SecureChatModule, secureChatDomain } from '@pakawaaz/secure-chat';

/** Every domain's data, in migration order (the floors of DESIGN §2). */
export const ALL_DOMAINS: readonly DomainDescriptor[] = [
  platformDomain,
  coreNetworkDomain,
  hardenedOsDomain,
  identityDomain,
  deviceMgmtDomain,
  appStoreDomain,
  secureChatDomain,
];

/** Each domain's configuration, parsed once at start-up (a bad value stops the process naming the variable). */
export type DomainConfigs = { coreNetwork: CoreNetworkConfig };

/** Nest modules of the domains a node may serve (identity is wired separately: every node needs it). */
export const DOMAIN_MODULES = {
  'core-network': (c) => CoreNetworkModule.forRoot(c.coreNetwork),
  'hardened-os': () => HardenedOsModule,
  'device-mgmt': () => DeviceMgmtModule,
  'app-store': () => AppStoreModule,
  'secure-chat': () => SecureChatModule,
} as const satisfies Record<Exclude<DomainName, 'identity'>, (c: DomainConfigs) => Type | DynamicModule>;
