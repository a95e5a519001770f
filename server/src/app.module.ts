import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IdentityModule, type IdentityConfig } from '@pakawaaz/identity';
import { AuthGuard, PlatformModule, type PlatformResources } from '@pakawaaz/platform';
import { servedModules, type DomainConfigs } from './domains.js';
import { SystemController } from './system/system.controller.js';
import { SystemService } from './system/system.service.js';

export type AppOptions = { resources: PlatformResources; identity: IdentityConfig; domains: DomainConfigs };

/** Composition root: the platform kernel, identity (token verification for every route) and the served domains. */
@Module({})
export class AppModule {
  static forRoot({ resources, identity, domains }: AppOptions): DynamicModule {
    const served = servedModules(resources.config.PAKAWAAZ_DOMAINS, domains);
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot(resources), IdentityModule.forRoot(identity), ...served],
      controllers: [SystemController],
      providers: [SystemService, { provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
