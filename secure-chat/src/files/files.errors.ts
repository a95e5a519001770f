import { defineErrors, type HttpStatus } from '@pakawaaz/platform';

export type FilesErrorCode =
  | 'invalid_file_input'
  | 'file_institution_required'
  | 'file_too_large'
  | 'file_quota_exceeded'
  | 'file_uploader_share_exceeded'
  | 'too_many_uploads'
  | 'upload_not_found'
  | 'upload_media_type'
  | 'upload_offset_required'
  | 'upload_offset_mismatch'
  | 'upload_busy'
  | 'upload_chunk_too_large'
  | 'upload_beyond_size'
  | 'upload_interrupted'
  | 'upload_already_complete'
  | 'upload_digest_mismatch'
  | 'file_not_found'
  | 'file_gone'
  | 'range_not_satisfiable';

export const FILES_ERROR_STATUS = {
  invalid_file_input: 400,
  // Attachments count against an institution's quota: a principal of no institution cannot upload.
  file_institution_required: 403,
  // The declared size is over PAKAWAAZ_CHAT_FILE_MAX_BYTES: nothing was reserved.
  file_too_large: 413,
  // The institution's stored files and uploads in progress would exceed its quota: delete files (or let
  // them expire) or ask the operator for a larger quota; details carry usedBytes and quotaBytes.
  file_quota_exceeded: 413,
  // This handset (or official's token) would hold more than its share of the institution's quota
  // (PAKAWAAZ_CHAT_FILE_UPLOADER_SHARE_PERCENT): details carry heldBytes and shareBytes.
  file_uploader_share_exceeded: 413,
  // This handset (or official's token) already has PAKAWAAZ_CHAT_FILE_UPLOADS_IN_PROGRESS uploads not yet
  // complete: finish or cancel (DELETE) one first; details carry inProgress and maxInProgress.
  too_many_uploads: 409,
  // No upload with this id of this uploader (another official's is not said to exist).
  upload_not_found: 404,
  // PATCH takes the bytes as application/offset+octet-stream (tus 1.0), nothing else.
  upload_media_type: 415,
  upload_offset_required: 400,
  // Upload-Offset is not where the upload stands: details.offset (and the Upload-Offset header) say where to
  // resume.
  upload_offset_mismatch: 409,
  // Another PATCH is streaming into this upload: wait for it, HEAD, and resume from the offset it reports.
  upload_busy: 409,
  // One PATCH carries at most PAKAWAAZ_CHAT_FILE_CHUNK_MAX_BYTES; the bytes up to the cap were kept.
  upload_chunk_too_large: 413,
  // The chunk would run past the declared size: nothing of it was written.
  upload_beyond_size: 413,
  // The chunk stopped early (the client went silent or hung up): what arrived is kept; resume from
  // details.offset.
  upload_interrupted: 400,
  upload_already_complete: 409,
  // The last byte arrived but the bytes' SHA-256 is not the one declared: the upload was discarded (and its
  // reservation released); encrypt and upload again.
  upload_digest_mismatch: 422,
  // No file has this link or id (never had, or its tombstone was purged).
  file_not_found: 404,
  // The file expired or was deleted (on a PATCH: deleted while its last chunk completed): ask the sender to
  // share it again.
  file_gone: 410,
  // The Range header names no byte of the file (or is not `bytes=start-end`).
  range_not_satisfiable: 416,
} as const satisfies Record<FilesErrorCode, HttpStatus>;

export const filesError = defineErrors(FILES_ERROR_STATUS);
