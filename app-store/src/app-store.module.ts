import { Module, type DynamicModule } from '@nestjs/common';
import { KEYS, type KeyService } from '@pakawaaz/platform';
import { APP_STORE_CONFIG, type AppStoreConfig } from './app-store.config.js';
import { ApkBlobStore } from './publishing/apk-blob-store.js';
import { WorkerApkInspector } from './publishing/apk-inspector.pool.js';
import { PoliciesService } from './publishing/policies.service.js';
import { StoreController } from './publishing/publishing.controller.js';
import { PublishingRepository } from './publishing/publishing.repository.js';
import { APK_BLOB_STORE, PublishingService } from './publishing/publishing.service.js';
import { ReviewsService } from './publishing/reviews.service.js';
import { useStoreLogSigner } from './transparency/log-signer.js';
import { StoreLogController } from './transparency/transparency.controller.js';
import { STORE_LOG_SIGNER, TransparencyLogService } from './transparency/transparency-log.service.js';

/**
 * Nest module of the app-store domain. Uploads are inspected (`@pakawaaz/apk`) on a worker thread
 * (WorkerApkInspector); a composition may bind another one to APK_INSPECTOR (the e2e tests' double).
 */
@Module({})
export class AppStoreModule {
  static forRoot(config: AppStoreConfig): DynamicModule {
    return {
      module: AppStoreModule,
      controllers: [StoreController, StoreLogController],
      providers: [
        { provide: APP_STORE_CONFIG, useValue: config },
        { provide: APK_BLOB_STORE, useValue: new ApkBlobStore(config.apkDir) },
        WorkerApkInspector,
        PublishingRepository,
        PublishingService,
        ReviewsService,
        PoliciesService,
        {
          provide: STORE_LOG_SIGNER,
          inject: [KEYS],
          useFactory: (keys: KeyService) => useStoreLogSigner(keys, config),
        },
        TransparencyLogService,
      ],
      // The catalogue (another module of the server) embeds the log's proofs and checkpoints.
      exports: [TransparencyLogService],
    };
  }
}
