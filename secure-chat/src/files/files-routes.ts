import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ErrorCodes, ZodResponse } from '@pakawaaz/platform';
import type { z } from 'zod';
import { SECURE_CHAT_ERROR_STATUS } from '../secure-chat.errors.js';
import { UploadView } from './files.dto.js';
import { FILES_ERROR_STATUS } from './files.errors.js';
import { UPLOAD_MEDIA_TYPE } from './files-rules.js';

/** The uploader's routes, for officials' tokens and (under `device/`) for handsets' certificates. */
export const FILES_ROUTE = 'api/v1/chat/files';
export const DEVICE_FILES_ROUTE = 'api/v1/chat/device/files';
/** The PATCH routes, the only ones that accept UPLOAD_MEDIA_TYPE (the server's body parser checks). */
export const CHUNK_ROUTES: ReadonlySet<string> = new Set([
  `/${FILES_ROUTE}/:id`,
  `/${DEVICE_FILES_ROUTE}/:id`,
]);

/** What the handlers need of Fastify's reply. */
export type Reply = { status(code: number): unknown; header(name: string, value: string): unknown };

/** tus-style headers on every reply about an upload, so a client resumes from any of them. */
export function uploadHeaders(reply: Reply, view: z.infer<typeof UploadView>): z.infer<typeof UploadView> {
  reply.header('upload-offset', String(view.offset));
  reply.header('upload-length', String(view.sizeBytes));
  reply.header('cache-control', 'no-store');
  return view;
}

const idParam = ApiParam({
  name: 'id',
  description: 'The upload (and file) id',
  schema: { type: 'string', format: 'uuid' },
});

export const CreateOp = () =>
  applyDecorators(
    ErrorCodes(
      FILES_ERROR_STATUS,
      'invalid_file_input',
      'file_institution_required',
      'file_too_large',
      'file_quota_exceeded',
      'file_uploader_share_exceeded',
      'too_many_uploads',
    ),
    // groupId names no group the uploader is a member of (the group routes' answer); more creations a minute
    // than PAKAWAAZ_CHAT_FILE_CREATES_PER_MINUTE (with Retry-After).
    ErrorCodes(SECURE_CHAT_ERROR_STATUS, 'group_not_found', 'chat_rate_limited'),
    ZodResponse(201, UploadView, 'Reserved against the institution quota; send the bytes with PATCH'),
  );

export const StatusOp = () =>
  applyDecorators(
    idParam,
    ErrorCodes(FILES_ERROR_STATUS, 'upload_not_found'),
    ZodResponse(
      200,
      UploadView,
      'Where the upload stands (also as Upload-Offset; HEAD answers the headers only)',
    ),
  );

export const ChunkOp = () =>
  applyDecorators(
    idParam,
    HttpCode(200),
    ApiConsumes(UPLOAD_MEDIA_TYPE),
    ApiBody({
      schema: { type: 'string', format: 'binary', description: 'The next bytes of the ciphertext' },
    }),
    ApiHeader({
      name: 'upload-offset',
      required: true,
      description: 'Where these bytes go (the current offset)',
    }),
    ErrorCodes(
      FILES_ERROR_STATUS,
      'invalid_file_input',
      'upload_not_found',
      'upload_media_type',
      'upload_offset_required',
      'upload_offset_mismatch',
      'upload_busy',
      'upload_chunk_too_large',
      'upload_beyond_size',
      'upload_interrupted',
      'upload_already_complete',
      'upload_digest_mismatch',
      'file_gone',
    ),
    ZodResponse(
      200,
      UploadView,
      'The new offset; with the last byte, the checked file and its download link',
    ),
  );

export const LinkOp = () =>
  applyDecorators(
    idParam,
    HttpCode(200),
    ErrorCodes(FILES_ERROR_STATUS, 'upload_not_found'),
    ZodResponse(200, UploadView, 'A new download link; the previous one stops working'),
  );

export const DeleteOp = () =>
  applyDecorators(
    idParam,
    HttpCode(204),
    ErrorCodes(FILES_ERROR_STATUS, 'upload_not_found'),
    ApiResponse({ status: 204, description: 'Deleted (its link answers 410); the quota is released' }),
  );
