import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityModule, type IdentityConfig } from '@pakawaaz/identity';
import { AuthGuard, PlatformModule, type PlatformResources } from '@pakawaaz/platform';
import { servedModules, type DomainConfigs } from './domains.js';
import { DevicePortStatus } from './http/device-port.js';
import { SystemController } from './system/system.controller.js';
import { LAB_ROOT_TRUSTED, SystemService } from './system/system.service.js';

export type AppOptions = {
  resources: PlatformResources;
  identity: IdentityConfig;
  domains: DomainConfigs;
  /** Extra global bindings (tests bind ports' doubles here, e.g. DEVICE_AUTHENTICATOR); none in production. */
  providers?: readonly Provider[];
};

/**
 * Bindings the composition root adds for every module (global): the e2e tests bind doubles of ports here
 * (DEVICE_AUTHENTICATOR, DEVICE_EDGE_TLS, identity's DEVICE_TRUST) where a domain would bind the real ones.
 */
@Global()
@Module({})
class CompositionBindings {
  static of(providers: readonly Provider[]): DynamicModule {
    return {
      module: CompositionBindings,
      providers: [...providers],
      exports: providers.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}

/** Composition root: the platform kernel, identity (token verification for every route) and the served domains. */
@Module({})
export class AppModule {
  static forRoot({ resources, identity, domains, providers = [] }: AppOptions): DynamicModule {
    const served = servedModules(resources.config.PAKAWAAZ_DOMAINS, domains);
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot(resources),
        ...(providers.length > 0 ? [CompositionBindings.of(providers)] : []),
        IdentityModule.forRoot(identity),
        ...served,
      ],
      controllers: [SystemController],
      providers: [
        SystemService,
        DevicePortStatus,
        // The NOC warns on every page while simulated handsets can enrol (the lab root is trusted).
        {
          provide: LAB_ROOT_TRUSTED,
          useValue:
            resources.config.PAKAWAAZ_DOMAINS.includes('device-mgmt') && domains.deviceMgmt.trustLabRoot,
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    };
  }
}
