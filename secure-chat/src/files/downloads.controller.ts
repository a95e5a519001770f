import { Controller, Delete, Get, Headers, HttpCode, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  Public,
  RequestId,
  Roles,
  RouteScope,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
} from '@pakawaaz/platform';
import { DownloadTokenParam, FileIdParam, UsageView } from './files.dto.js';
import { FILES_ERROR_STATUS } from './files.errors.js';
import type { Reply } from './files-routes.js';
import { FilesService } from './files.service.js';

/**
 * Capability URLs: whoever holds the link downloads the ciphertext (members of the chat get it inside the
 * E2EE message, with the key). No authentication, no caching by intermediaries; ranges for resumed downloads.
 */
@ApiTags('secure-chat')
@Public()
@Controller('api/v1/chat/downloads')
export class DownloadsController {
  constructor(private readonly files: FilesService) {}

  @Get(':token')
  @ApiParam({
    name: 'token',
    description: 'The link token (256 random bits, base64url)',
    schema: { type: 'string' },
  })
  @ApiHeader({ name: 'range', required: false, description: 'One range, `bytes=start-end` (RFC 9110)' })
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The ciphertext, with its SHA-256 as a strong ETag' })
  @ApiResponse({ status: 206, description: 'The range asked for (Content-Range)' })
  @ErrorCodes(FILES_ERROR_STATUS, 'file_not_found', 'file_gone', 'range_not_satisfiable')
  async download(
    @Param('token', new ZodValidationPipe(DownloadTokenParam)) token: string,
    @Headers('range') range: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<StreamableFile> {
    const d = await this.files.download(token, range);
    reply.header('etag', `"${d.sha256}"`);
    reply.header('accept-ranges', 'bytes');
    reply.header('cache-control', 'private, no-store');
    reply.header('referrer-policy', 'no-referrer');
    if (!d.range)
      return new StreamableFile(d.stream, { type: 'application/octet-stream', length: d.sizeBytes });
    reply.status(206);
    reply.header('content-range', `bytes ${d.range.start}-${d.range.end}/${d.sizeBytes}`);
    return new StreamableFile(d.stream, {
      type: 'application/octet-stream',
      length: d.range.end - d.range.start + 1,
    });
  }
}

/** An institution's chat administrators: its usage against the quota, and deleting any of its files. */
@ApiTags('secure-chat')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/chat/admin/files')
export class FilesAdminController {
  constructor(private readonly files: FilesService) {}

  @Get('usage')
  @Roles('chat-admin')
  @ZodResponse(200, UsageView, 'Bytes held and quota of each institution in scope that has used any')
  usage(@CurrentPrincipal() p: Principal) {
    return this.files.usage(p);
  }

  @Delete(':id')
  @Roles('chat-admin')
  @HttpCode(204)
  @ErrorCodes(FILES_ERROR_STATUS, 'file_not_found')
  @ApiResponse({ status: 204, description: 'Deleted (audited); its link answers 410; the quota is released' })
  remove(
    @Param('id', new ZodValidationPipe(FileIdParam)) id: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ): Promise<void> {
    return this.files.removeAsAdmin(p, id, requestId);
  }
}
