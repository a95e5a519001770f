import { Module, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from './hardened-os.config.js';
import { PayloadStore } from './payloads/payload-store.js';
import { PAYLOAD_STORE, PayloadsService } from './payloads/payloads.service.js';
import { OsReleasesFacts } from './registry/os-releases.facts.js';
import { InstitutionNames } from './rollouts/institution-names.js';
import { OsRolloutsFacts } from './rollouts/os-rollouts.facts.js';
import { OsUpdateListener } from './rollouts/os-update.listener.js';
import { RolloutEngine } from './rollouts/rollout-engine.service.js';
import { OsRolloutsController } from './rollouts/rollouts.controller.js';
import { RolloutsRepository } from './rollouts/rollouts.repository.js';
import { RolloutsService } from './rollouts/rollouts.service.js';
import { OsRegistryController } from './registry/registry.controller.js';
import { RegistryRepository } from './registry/registry.repository.js';
import { RegistryService } from './registry/registry.service.js';
import { OtaRepositoryController, TufAdminController } from './tuf/tuf.controller.js';
import { OtaFilesService } from './tuf/ota-files.service.js';
import { TufLegacyImport } from './tuf/tuf-legacy-import.js';
import { TufMetadataRepository } from './tuf/tuf-metadata.repository.js';
import { TufOnlineKeys } from './tuf/tuf-online-keys.js';
import { TufPublisher } from './tuf/tuf-publisher.js';
import { TufRefreshService } from './tuf/tuf-refresh.service.js';
import { TufRepositoryService } from './tuf/tuf-repository.service.js';

/**
 * Hardened OS: device models, verified-boot keys, releases, OTA payloads, patch floors and rollouts. Global, so
 * that the server can bind device management's HARDENED_OS_RELEASES and OS_ROLLOUTS ports to OsReleasesFacts
 * and OsRolloutsFacts.
 */
@Module({})
export class HardenedOsModule {
  static forRoot(config: HardenedOsConfig): DynamicModule {
    return {
      module: HardenedOsModule,
      global: true,
      controllers: [OsRegistryController, OtaRepositoryController, TufAdminController, OsRolloutsController],
      providers: [
        { provide: HARDENED_OS_CONFIG, useValue: config },
        { provide: PAYLOAD_STORE, useValue: new PayloadStore(config.payloadDir) },
        RegistryRepository,
        OsReleasesFacts,
        RegistryService,
        PayloadsService,
        TufMetadataRepository,
        TufOnlineKeys,
        OtaFilesService,
        TufLegacyImport,
        TufPublisher,
        TufRepositoryService,
        TufRefreshService,
        RolloutsRepository,
        OsRolloutsFacts,
        RolloutEngine,
        RolloutsService,
        OsUpdateListener,
        {
          provide: InstitutionNames,
          inject: [ModuleRef],
          useFactory: (m: ModuleRef) => new InstitutionNames(m),
        },
      ],
      exports: [OsReleasesFacts, OsRolloutsFacts],
    };
  }
}
