import { Module, type DynamicModule } from '@nestjs/common';
import { AppError, KEYS, type KeyService } from '@pakawaaz/platform';
import { APK_LOG, type ApkLog } from './catalogues/apk-log.js';
import { APP_STORE_CONFIG, type AppStoreConfig } from './app-store.config.js';
import { ApkDownloadsService } from './catalogues/apk-downloads.service.js';
import {
  CatalogueKeyController,
  DeviceApkController,
  DeviceCatalogueController,
  InstitutionCatalogueController,
} from './catalogues/catalogues.controller.js';
import { CATALOGUE_KEY, CATALOGUE_SIGNER, CataloguesService } from './catalogues/catalogues.service.js';
import { ApkBlobStore } from './publishing/apk-blob-store.js';
import { DEVELOPER_DIRECTORY, IdentityDeveloperDirectory } from './publishing/developer-directory.js';
import { WorkerApkInspector } from './publishing/apk-inspector.pool.js';
import { PoliciesService } from './publishing/policies.service.js';
import { StoreController } from './publishing/publishing.controller.js';
import { PublishingRepository } from './publishing/publishing.repository.js';
import { APK_BLOB_STORE, PublishingService } from './publishing/publishing.service.js';
import { ReviewsService } from './publishing/reviews.service.js';
import { DemoAppsService } from './demo/demo-apps.service.js';
import { AppRolloutEngine } from './rollouts/app-rollout-engine.service.js';
import { AppRolloutsController } from './rollouts/app-rollouts.controller.js';
import { AppRolloutsRepository } from './rollouts/app-rollouts.repository.js';
import { AppRolloutsService } from './rollouts/app-rollouts.service.js';
import { useStoreLogSigner } from './transparency/log-signer.js';
import { StoreLogController } from './transparency/transparency.controller.js';
import { STORE_LOG_SIGNER, TransparencyLogService } from './transparency/transparency-log.service.js';

/**
 * Nest module of the app-store domain. Uploads are inspected (`@pakawaaz/apk`) on a worker thread
 * (WorkerApkInspector); a composition may bind another one to APK_INSPECTOR (the e2e tests' double).
 * Approved versions enter the transparency log (TransparencyLogService, also the catalogues' APK_LOG).
 */
@Module({})
export class AppStoreModule {
  static forRoot(config: AppStoreConfig): DynamicModule {
    return {
      module: AppStoreModule,
      controllers: [
        StoreController,
        StoreLogController,
        DeviceCatalogueController,
        DeviceApkController,
        CatalogueKeyController,
        InstitutionCatalogueController,
        AppRolloutsController,
      ],
      providers: [
        { provide: APP_STORE_CONFIG, useValue: config },
        { provide: APK_BLOB_STORE, useValue: new ApkBlobStore(config.apkDir) },
        WorkerApkInspector,
        PublishingRepository,
        PublishingService,
        ReviewsService,
        { provide: DEVELOPER_DIRECTORY, useClass: IdentityDeveloperDirectory },
        PoliciesService,
        {
          provide: STORE_LOG_SIGNER,
          inject: [KEYS],
          useFactory: (keys: KeyService) => useStoreLogSigner(keys, config),
        },
        TransparencyLogService,
        // The catalogues read the proofs they carry from the log (a not-yet-logged APK is left out).
        {
          provide: APK_LOG,
          inject: [TransparencyLogService],
          useFactory: (log: TransparencyLogService): ApkLog => ({
            inclusionFor: (sha256) =>
              log.inclusionFor(sha256).catch((err: unknown) => {
                if (err instanceof AppError && err.code === 'log_entry_not_found') return undefined;
                throw err;
              }),
            latestCheckpoint: () => log.latestCheckpoint(),
          }),
        },
        {
          provide: CATALOGUE_SIGNER,
          inject: [KEYS],
          useFactory: (keys: KeyService) =>
            keys.useSigner({ name: CATALOGUE_KEY, file: config.catalogueKeyFile, alg: 'ES256' }),
        },
        CataloguesService,
        ApkDownloadsService,
        DemoAppsService,
        // Installs go through APP_FLEET, which the composition root binds to device-mgmt (optional).
        AppRolloutsRepository,
        AppRolloutEngine,
        AppRolloutsService,
      ],
      exports: [TransparencyLogService],
    };
  }
}
