import type { EocdError } from './eocd.js';

/** Every way the hardened ZIP reader refuses an archive or an entry. Stable: the app store reports these. */
export type ZipErrorCode =
  | EocdError['code']
  | 'zip_truncated'
  | 'zip_cd_malformed'
  | 'zip_too_many_entries'
  | 'zip_too_large'
  | 'zip_name_too_long'
  | 'zip_bad_name'
  | 'zip_path_traversal'
  | 'zip_absolute_path'
  | 'zip_backslash'
  | 'zip_duplicate_name'
  | 'zip_overlap'
  | 'zip_local_mismatch'
  | 'zip_unsupported_method'
  | 'zip_encrypted'
  | 'zip_ratio'
  | 'zip_entry_not_found'
  | 'zip_entry_too_large'
  | 'zip_bad_deflate'
  | 'zip_size_mismatch'
  | 'zip_crc_mismatch';

export class ZipError extends Error {
  constructor(
    readonly code: ZipErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ZipError';
  }
}
