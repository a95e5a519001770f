import { Module, type DynamicModule } from '@nestjs/common';
import { DeliveryRepository } from '../delivery/delivery.repository.js';
import { BLOB_STORE } from './blob-store.js';
import { ChunkUploadService } from './chunk-upload.service.js';
import { DiskBlobStore } from './disk-blob-store.js';
import { DownloadsController, FilesAdminController } from './downloads.controller.js';
import { FILES_CONFIG, type FilesConfig } from './files.config.js';
import { DeviceFilesController, FilesController } from './files.controller.js';
import { FilesRepository } from './files.repository.js';
import { FilesService } from './files.service.js';
import { FilesSweepService } from './files-sweep.service.js';

/** Client-encrypted attachments: resumable uploads, quotas, capability links, retention. */
@Module({})
export class ChatFilesModule {
  static forRoot(config: FilesConfig): DynamicModule {
    return {
      module: ChatFilesModule,
      controllers: [FilesController, DeviceFilesController, DownloadsController, FilesAdminController],
      providers: [
        { provide: FILES_CONFIG, useValue: config },
        { provide: BLOB_STORE, useValue: new DiskBlobStore(config.dir) },
        FilesRepository,
        // The chat groups' members, which a file's groupId is checked against (read only).
        DeliveryRepository,
        FilesService,
        ChunkUploadService,
        FilesSweepService,
      ],
    };
  }
}
