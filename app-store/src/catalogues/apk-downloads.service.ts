import type { FileHandle } from 'node:fs/promises';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { LOGGER, type DevicePrincipal } from '@pakawaaz/platform';
import type { Logger } from 'pino';
import { appStoreError } from '../app-store.errors.js';
import type { ApkBlobStore } from '../publishing/apk-blob-store.js';
import { APK_BLOB_STORE } from '../publishing/publishing.service.js';
import { CataloguesService } from './catalogues.service.js';

/** An APK opened for a handset: the caller streams it and closes the handle. */
export type ApkDownload = { readonly sha256: string; readonly size: number; readonly handle: FileHandle };

const notFound = () =>
  appStoreError('apk_not_found', "No APK with this SHA-256 in your institution's catalogue.");

/**
 * The APK files handsets install from, by SHA-256. A device gets only an APK its institution's current
 * catalogue offers: not a pilot, a rejected or withdrawn version, nor another institution's app — and every
 * one of those, like an unknown hash, is the same 404, so a handset learns nothing of what it may not install.
 * The handset checks the bytes against the signed catalogue itself; this only narrows who may read them.
 */
@Injectable()
export class ApkDownloadsService {
  constructor(
    private readonly catalogues: CataloguesService,
    @Inject(APK_BLOB_STORE) private readonly blobs: ApkBlobStore,
    @Optional() @Inject(LOGGER) private readonly logger?: Logger,
  ) {}

  async forDevice(device: DevicePrincipal, sha256: string): Promise<ApkDownload> {
    if (!device.institutionId) throw notFound();
    const catalogue = await this.catalogues.current(device.institutionId);
    if (!catalogue.apks.has(sha256)) throw notFound();
    // Opened, then sized from the open file: a removal between the two cannot serve a short body.
    let failure: unknown;
    const opened = await this.blobs.openSized(sha256).catch((err: unknown) => {
      failure = err;
      return null;
    });
    if (!opened) {
      // Offered but not on this node's disk: APK_DIR is not shared between the nodes, or the file was lost.
      this.logger?.error({ err: failure, sha256 }, 'an APK the catalogue offers is not in the APK folder');
      throw notFound();
    }
    return { sha256, ...opened };
  }
}
