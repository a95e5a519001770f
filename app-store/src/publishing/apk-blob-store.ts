import { ContentStore, type ReceivedContent } from '@pakawaaz/platform';

/** An upload read to its end and hashed, still in its temporary file: `commit` or `discard` it. */
export type ReceivedApk = ReceivedContent;

/**
 * APKs under one folder, content-addressed: `<dir>/<sha256>.apk` (the platform's ContentStore). An upload is
 * streamed into a temporary file, counted and hashed; the inspector reads that temporary file, and only an
 * upload that passes every check is committed (fsynced, renamed into place, the folder fsynced). Refusals are
 * ContentUploadErrors: 'too_large', 'truncated' or 'timeout' (upload-checks.ts maps them to 4xx).
 */
export class ApkBlobStore extends ContentStore {
  constructor(dir: string) {
    super({ dir, suffix: '.apk', noun: 'APK' });
  }
}
