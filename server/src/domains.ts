import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import {
  APP_FLEET,
  AppStoreModule,
  appStoreDomain,
  FLEET_PAGE,
  type AppFleet,
  type AppStoreConfig,
} from '@pakawaaz/app-store';
import { CoreNetworkModule, coreNetworkDomain, type CoreNetworkConfig } from '@pakawaaz/core-network';
import {
  APP_FLEET_PAGE,
  AppFleetService,
  DeviceMgmtModule,
  deviceMgmtDomain,
  HARDENED_OS_RELEASES,
  OS_ROLLOUTS,
  type DeviceMgmtConfig,
  type HardenedOsReleases,
  type OsRollouts,
} from '@pakawaaz/device-mgmt';
import {
  HardenedOsModule,
  hardenedOsDomain,
  OsReleasesFacts,
  OsRolloutsFacts,
  type HardenedOsConfig,
} from '@pakawaaz/hardened-os';
import { identityDomain } from '@pakawaaz/identity';
import {
  platformDomain,
  registerDomains,
  type DomainDescriptor,
  type Role,
  type RoleDefinition,
} from '@pakawaaz/platform';
import { SecureChatModule, secureChatDomain, type SecureChatConfig } from '@pakawaaz/secure-chat';
import { DOMAIN_NAMES, DOMAINS } from './domain-names.js';

/** Every domain, in migration order (the floors of DESIGN §2): their data and what they register with the kernel. */
export const ALL_DOMAINS = [
  platformDomain,
  coreNetworkDomain,
  hardenedOsDomain,
  identityDomain,
  deviceMgmtDomain,
  appStoreDomain,
  secureChatDomain,
] as const;

/** The same list as plain descriptors, for code that reads what a domain may declare (events, auth). */
export const DOMAIN_DESCRIPTORS: readonly DomainDescriptor[] = ALL_DOMAINS;

/** A domain a node may serve (PAKAWAAZ_DOMAINS): every one but the kernel. */
export type DomainName = Exclude<(typeof ALL_DOMAINS)[number]['name'], 'platform'>;

/** The composition the kernel checks PAKAWAAZ_DOMAINS against: its own module, which the supervisor loads alone. */
export { DOMAINS };

/** DOMAIN_NAMES names every domain but the kernel and no other: either way round, this does not compile. */
const _everyDomainNamed = {
  listed: [] as DomainName[] satisfies readonly (typeof DOMAIN_NAMES)[number][],
  known: [] as (typeof DOMAIN_NAMES)[number][] satisfies readonly DomainName[],
};

/**
 * Every role a domain declares at type level has its runtime definition here: a role added to a
 * `RoleRegistry` augmentation without metadata in its domain's descriptor does not compile.
 */
export const ALL_ROLES = {
  ...platformDomain.auth.roles,
  ...coreNetworkDomain.auth.roles,
  ...hardenedOsDomain.auth.roles,
  ...identityDomain.auth.roles,
  ...deviceMgmtDomain.auth.roles,
  ...appStoreDomain.auth.roles,
  ...secureChatDomain.auth.roles,
} as const satisfies Record<Role, RoleDefinition>;

// Tokens are valid across the cluster, so a node knows every domain's roles, not only those it serves.
registerDomains(ALL_DOMAINS);

/** Each domain's configuration, parsed once at start-up (a bad value stops the process naming the variable). */
export type DomainConfigs = {
  coreNetwork: CoreNetworkConfig;
  hardenedOs: HardenedOsConfig;
  deviceMgmt: DeviceMgmtConfig;
  appStore: AppStoreConfig;
  secureChat: SecureChatConfig;
};

/** Nest modules of the domains a node may serve (identity is wired separately: every node needs it). */
export const DOMAIN_MODULES = {
  'core-network': (c) => CoreNetworkModule.forRoot(c.coreNetwork),
  'hardened-os': (c) => HardenedOsModule.forRoot(c.hardenedOs),
  'device-mgmt': (c) => DeviceMgmtModule.forRoot(c.deviceMgmt),
  'app-store': (c) => AppStoreModule.forRoot(c.appStore),
  'secure-chat': (c) => SecureChatModule.forRoot(c.secureChat),
} as const satisfies Record<Exclude<DomainName, 'identity'>, (c: DomainConfigs) => Type | DynamicModule>;

/** The domain modules a node's configuration selects (already validated against DOMAINS), and their ports. */
export function servedModules(served: readonly string[], configs: DomainConfigs): (Type | DynamicModule)[] {
  const modules: (Type | DynamicModule)[] = served
    .filter((d): d is Exclude<DomainName, 'identity'> => d in DOMAIN_MODULES)
    .map((d) => DOMAIN_MODULES[d](configs));
  if (served.includes('hardened-os') && served.includes('device-mgmt'))
    modules.push(HardenedOsReleasesBinding);
  if (served.includes('device-mgmt') && served.includes('app-store')) modules.push(AppFleetBinding);
  return modules;
}

/**
 * Device management reads our OS builds through its HARDENED_OS_RELEASES port; hardened-os's registry answers
 * it (a node serving device-mgmt without hardened-os falls back to PAKAWAAZ_TRUSTED_BOOT_KEYS and
 * PAKAWAAZ_MIN_PATCH_LEVEL). Its check-in asks the OS_ROLLOUTS port which build a handset should move to;
 * hardened-os's rollouts answer it (without hardened-os there are no rollouts). The factories' types prove
 * hardened-os's faces match the ports.
 */
@Global()
@Module({
  providers: [
    {
      provide: HARDENED_OS_RELEASES,
      inject: [OsReleasesFacts],
      useFactory: (facts: OsReleasesFacts): HardenedOsReleases => facts,
    },
    {
      provide: OS_ROLLOUTS,
      inject: [OsRolloutsFacts],
      useFactory: (rollouts: OsRolloutsFacts): OsRollouts => rollouts,
    },
  ],
  exports: [HARDENED_OS_RELEASES, OS_ROLLOUTS],
})
class HardenedOsReleasesBinding {}

/**
 * The app store installs apps on handsets through its APP_FLEET port; device-mgmt's AppFleetService answers
 * it (a node serving app-store without device-mgmt binds nothing: rollouts refuse with `fleet_unavailable`).
 * The factory's type proves the service matches the port, and the constant below that both page alike.
 */
@Global()
@Module({
  providers: [
    {
      provide: APP_FLEET,
      inject: [AppFleetService],
      useFactory: (fleet: AppFleetService): AppFleet => fleet,
    },
  ],
  exports: [APP_FLEET],
})
class AppFleetBinding {}
const _samePage: typeof FLEET_PAGE = APP_FLEET_PAGE;
