import { Module, type DynamicModule } from '@nestjs/common';
import {
  AuditService,
  DATABASE,
  DataKeyService,
  KEYS,
  LOGGER,
  type DatabaseHandle,
  type KeyService,
  type Logger,
} from '@pakawaaz/platform';
import { CORE_NETWORK_CONFIG, type CoreNetworkConfig } from './core-network.config.js';
import { AKA_VECTOR_SOURCE } from './milenage/aka-vector.port.js';
import { AkaVectorService } from './milenage/aka-vector.service.js';
import { openSimDataKeys } from './crypto/sim-keys.js';
import { SimImportService } from './sim-inventory/sim-import.service.js';
import { SimInventoryRepository } from './sim-inventory/sim-inventory.repository.js';
import { SIM_SECRETS } from './sim-inventory/sim-secrets.port.js';
import { SimSecretsService } from './sim-inventory/sim-secrets.service.js';
import { SimsController } from './sim-inventory/sims.controller.js';
import { NetworkSpecController } from './network-spec/network-spec.controller.js';
import { AlarmsService } from './network-health/alarms.service.js';
import { NetworkHealthController } from './network-health/network-health.controller.js';
import { NetworkHealthRepository } from './network-health/network-health.repository.js';
import { NetworkHealthService } from './network-health/network-health.service.js';
import { NetworkSpecRepository } from './network-spec/network-spec.repository.js';
import { NetworkSpecService } from './network-spec/network-spec.service.js';
import { Open5gsExportController } from './open5gs/subscribers/open5gs-export.controller.js';
import { Open5gsExportService } from './open5gs/subscribers/open5gs-export.service.js';
import { Open5gsExportsRepository } from './open5gs/subscribers/open5gs-exports.repository.js';
import { Open5gsSyncController } from './open5gs/subscribers/open5gs-sync.controller.js';
import { OPEN5GS_STORE_FACTORY, Open5gsSyncService } from './open5gs/subscribers/open5gs-sync.service.js';
import { connectOpen5gsStore } from './open5gs/subscribers/mongo-subscriber-store.js';
import { DeviceEventsListener } from './subscribers/device-events.listener.js';
import { OfficialFactsListener } from './subscribers/official-facts.listener.js';
import { OfficialFactsRepository } from './subscribers/official-facts.repository.js';
import { OfficialFactsService } from './subscribers/official-facts.service.js';
import { OFFICIAL_DIRECTORY_BINDING } from './subscribers/official-directory.port.js';
import { Officials } from './subscribers/officials.js';
import { BulkAssignmentController } from './subscribers/bulk-assignment.controller.js';
import { BulkAssignmentService } from './subscribers/bulk-assignment.service.js';
import { SubscribersController } from './subscribers/subscribers.controller.js';
import { SubscriberProfilesController } from './subscribers/subscriber-profiles.controller.js';
import { SubscriberProfilesService } from './subscribers/subscriber-profiles.service.js';
import { ProfilePreviewController } from './subscribers/profile-preview.controller.js';
import { ProfilePreviewService } from './subscribers/profile-preview.service.js';
import { SubscribersRepository } from './subscribers/subscribers.repository.js';
import { SubscribersService } from './subscribers/subscribers.service.js';
import { SIM_OWNERSHIP } from './subscribers/sim-ownership.port.js';
import { SimOwnershipService } from './subscribers/sim-ownership.service.js';

/**
 * Core network: Open5GS configuration, SIM inventory, subscribers, AKA vectors, network health. Global, so
 * identity (wired beside it by the server) can inject the ports it declares for the SIM factor.
 */
@Module({})
export class CoreNetworkModule {
  static forRoot(config: CoreNetworkConfig): DynamicModule {
    return {
      module: CoreNetworkModule,
      global: true,
      controllers: [
        NetworkSpecController,
        NetworkHealthController,
        SimsController,
        BulkAssignmentController,
        SubscribersController,
        SubscriberProfilesController,
        ProfilePreviewController,
        Open5gsSyncController,
        Open5gsExportController,
      ],
      providers: [
        { provide: CORE_NETWORK_CONFIG, useValue: config },
        NetworkSpecRepository,
        ProfilePreviewService,
        NetworkSpecService,
        NetworkHealthRepository,
        AlarmsService,
        NetworkHealthService,
        {
          provide: DataKeyService,
          inject: [DATABASE, KEYS, AuditService, LOGGER],
          useFactory: (database: DatabaseHandle, keys: KeyService, audit: AuditService, logger: Logger) =>
            openSimDataKeys({ database, keys, config, audit, logger }),
        },
        SimInventoryRepository,
        SimImportService,
        SimSecretsService,
        { provide: SIM_SECRETS, useExisting: SimSecretsService },
        SubscribersRepository,
        Officials,
        { provide: OFFICIAL_DIRECTORY_BINDING, useExisting: Officials },
        SubscribersService,
        SubscriberProfilesService,
        BulkAssignmentService,
        DeviceEventsListener,
        OfficialFactsRepository,
        OfficialFactsService,
        OfficialFactsListener,
        AkaVectorService,
        Open5gsSyncService,
        Open5gsExportService,
        Open5gsExportsRepository,
        { provide: OPEN5GS_STORE_FACTORY, useValue: (url: string) => connectOpen5gsStore(url) },
        { provide: AKA_VECTOR_SOURCE, useExisting: AkaVectorService },
        SimOwnershipService,
        { provide: SIM_OWNERSHIP, useExisting: SimOwnershipService },
      ],
      exports: [
        SIM_SECRETS,
        AKA_VECTOR_SOURCE,
        SIM_OWNERSHIP,
        OFFICIAL_DIRECTORY_BINDING,
        NetworkSpecService,
        NetworkHealthService,
      ],
    };
  }
}
