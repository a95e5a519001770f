import type { FilesConfig } from '../../src/files/files.config.js';

/**
 * The attachments' settings of the files medium tests: small files and chunks, a quota of 3 MiB filled from one
 * uploader (the uploader's share has its own test), `dir` set by each test to its temporary folder.
 */
export const FILES_TEST_CONFIG: FilesConfig = {
  dir: '',
  maxFileBytes: 1 << 20,
  chunkMaxBytes: 64 * 1024,
  defaultQuotaBytes: 3 << 20,
  uploaderSharePercent: 100,
  maxUploadsInProgress: 32,
  createsPerMinute: 6000,
  uploadIdleMs: 1000,
  abandonMs: 3_600_000,
};
