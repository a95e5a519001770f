import { Module, type DynamicModule } from '@nestjs/common';
import { KEYS, type KeyService } from '@pakawaaz/platform';
import { APP_STORE_CONFIG, type AppStoreConfig } from './app-store.config.js';
import {
  CatalogueKeyController,
  DeviceCatalogueController,
  InstitutionCatalogueController,
} from './catalogues/catalogues.controller.js';
import { CATALOGUE_KEY, CATALOGUE_SIGNER, CataloguesService } from './catalogues/catalogues.service.js';
import { ApkBlobStore } from './publishing/apk-blob-store.js';
import { PoliciesService } from './publishing/policies.service.js';
import { StoreController } from './publishing/publishing.controller.js';
import { PublishingRepository } from './publishing/publishing.repository.js';
import { APK_BLOB_STORE, PublishingService } from './publishing/publishing.service.js';
import { ReviewsService } from './publishing/reviews.service.js';

/**
 * Nest module of the app-store domain. The APK inspector (APK_INSPECTOR) is bound by the composition root:
 * without it, uploads are refused with apk_inspector_unavailable and everything else works. So is the APK
 * transparency log (APK_LOG): without it, catalogues are refused with catalogue_log_unavailable.
 */
@Module({})
export class AppStoreModule {
  static forRoot(config: AppStoreConfig): DynamicModule {
    return {
      module: AppStoreModule,
      controllers: [
        StoreController,
        DeviceCatalogueController,
        CatalogueKeyController,
        InstitutionCatalogueController,
      ],
      providers: [
        { provide: APP_STORE_CONFIG, useValue: config },
        { provide: APK_BLOB_STORE, useValue: new ApkBlobStore(config.apkDir) },
        PublishingRepository,
        PublishingService,
        ReviewsService,
        PoliciesService,
        {
          provide: CATALOGUE_SIGNER,
          inject: [KEYS],
          useFactory: (keys: KeyService) =>
            keys.useSigner({ name: CATALOGUE_KEY, file: config.catalogueKeyFile, alg: 'ES256' }),
        },
        CataloguesService,
      ],
    };
  }
}
