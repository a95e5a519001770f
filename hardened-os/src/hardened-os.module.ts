import { Module, type DynamicModule } from '@nestjs/common';
import { HARDENED_OS_CONFIG, type HardenedOsConfig } from './hardened-os.config.js';
import { PayloadStore } from './payloads/payload-store.js';
import { PAYLOAD_STORE, PayloadsService } from './payloads/payloads.service.js';
import { OsReleasesFacts } from './registry/os-releases.facts.js';
import { OsRegistryController } from './registry/registry.controller.js';
import { RegistryRepository } from './registry/registry.repository.js';
import { RegistryService } from './registry/registry.service.js';
import { OtaRepositoryController, TufAdminController } from './tuf/tuf.controller.js';
import { OtaFilesService } from './tuf/ota-files.service.js';
import { TufRepositoryService } from './tuf/tuf-repository.service.js';

/**
 * Hardened OS: device models, verified-boot keys, releases, OTA payloads and patch floors. Global, so that the
 * server can bind device management's HARDENED_OS_RELEASES port to OsReleasesFacts.
 */
@Module({})
export class HardenedOsModule {
  static forRoot(config: HardenedOsConfig): DynamicModule {
    return {
      module: HardenedOsModule,
      global: true,
      controllers: [OsRegistryController, OtaRepositoryController, TufAdminController],
      providers: [
        { provide: HARDENED_OS_CONFIG, useValue: config },
        { provide: PAYLOAD_STORE, useValue: new PayloadStore(config.payloadDir) },
        RegistryRepository,
        OsReleasesFacts,
        RegistryService,
        PayloadsService,
        TufRepositoryService,
        OtaFilesService,
      ],
      exports: [OsReleasesFacts],
    };
  }
}
