import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuditController } from './audit/audit.controller.js';
import { AuditCheckpointer } from './audit/audit-checkpointer.js';
import { AUDIT_CHECKPOINT_KEY, AUDIT_CHECKPOINT_SIGNER, AuditService } from './audit/audit.service.js';
import { CLIENT_CERTIFICATES, ClientCertificates } from './auth/client-certificate.js';
import { DeviceEdgeController } from './auth/device.controller.js';
import { DatabaseDpopReplay, DPOP_SETTINGS } from './auth/dpop-replay.js';
import { RouteScopeCheck } from './auth/route-access.js';
import type { PlatformConfig } from './config/platform.config.js';
import type { DatabaseHandle } from './db/database.js';
import { DATABASE } from './db/database.tokens.js';
import { DEAD_LETTERS, type DeadLetterStore } from './events/dead-letters.js';
import { EVENT_BUS, type EventBus } from './events/event-bus.js';
import { HealthController } from './http/health.controller.js';
import { FeatureBoard } from './http/features.js';
import { PageConnectSources } from './http/page-sources.js';
import { HealthService } from './http/health.service.js';
import { APP_INFO, LOGGER, PLATFORM_CONFIG, type AppInfo } from './http/platform.tokens.js';
import { Metrics } from './metrics/metrics.js';
import { KEYS, type KeyService } from './keys/key.service.js';
import { RolloutGate } from './rollout/rollout-gate.js';
import { LocalPeers, PROCESS_PEERS, type ProcessPeers } from './processes/process-peers.js';

export type PlatformResources = {
  config: PlatformConfig;
  logger: Logger;
  database: DatabaseHandle;
  eventBus: EventBus;
  /** The dead-letter record the event bus writes to (`platform.dead_letters`). */
  deadLetters: DeadLetterStore;
  metrics: Metrics;
  appInfo: AppInfo;
  /** The key service: every secret key a domain holds (files or a PKCS#11 token). */
  keys: KeyService;
  /** The other server processes of this host (PAKAWAAZ_PROCESSES > 1); answered here when it runs alone. */
  peers?: ProcessPeers;
};

/**
 * The kernel as a global Nest module. Resources (database, event bus, logger) are opened by the composition
 * root before Nest starts, so start-up failures are reported plainly and shutdown order is explicit.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(resources: PlatformResources): DynamicModule {
    return {
      module: PlatformModule,
      imports: [DiscoveryModule],
      controllers: [HealthController, AuditController, DeviceEdgeController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: resources.config },
        { provide: LOGGER, useValue: resources.logger },
        { provide: DATABASE, useValue: resources.database },
        { provide: EVENT_BUS, useValue: resources.eventBus },
        { provide: DEAD_LETTERS, useValue: resources.deadLetters },
        { provide: APP_INFO, useValue: resources.appInfo },
        { provide: Metrics, useValue: resources.metrics },
        { provide: KEYS, useValue: resources.keys },
        { provide: PROCESS_PEERS, useValue: resources.peers ?? new LocalPeers() },
        {
          provide: CLIENT_CERTIFICATES,
          useValue: new ClientCertificates({
            trustedProxies: resources.config.PAKAWAAZ_DEVICE_PROXY_ADDRESSES,
            header: resources.config.PAKAWAAZ_DEVICE_CERT_HEADER,
          }),
        },
        {
          provide: AUDIT_CHECKPOINT_SIGNER,
          useFactory: () =>
            resources.keys.useSigner({
              name: AUDIT_CHECKPOINT_KEY,
              file: resources.config.auditCheckpointKeyFile,
              alg: 'EdDSA',
            }),
        },
        {
          // Spent DPoP proofs in the database: a proof serves once across every node of the deployment.
          provide: DPOP_SETTINGS,
          useValue: {
            replay: new DatabaseDpopReplay(resources.database.db),
            origins: resources.config.PAKAWAAZ_PUBLIC_ORIGINS,
          },
        },
        HealthService,
        FeatureBoard,
        PageConnectSources,
        AuditService,
        AuditCheckpointer,
        RouteScopeCheck,
        RolloutGate,
      ],
      exports: [
        PLATFORM_CONFIG,
        LOGGER,
        DATABASE,
        EVENT_BUS,
        DEAD_LETTERS,
        APP_INFO,
        Metrics,
        KEYS,
        PROCESS_PEERS,
        CLIENT_CERTIFICATES,
        DPOP_SETTINGS,
        HealthService,
        FeatureBoard,
        PageConnectSources,
        AuditService,
        RouteScopeCheck,
        RolloutGate,
      ],
    };
  }
}
