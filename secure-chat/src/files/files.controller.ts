import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  CurrentPrincipal,
  DeviceRoute,
  RouteScope,
  ZodBody,
  ZodValidationPipe,
  type DevicePrincipal,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { ChunkUploadService } from './chunk-upload.service.js';
import { CreateUploadInput, FileIdParam } from './files.dto.js';
import {
  ChunkOp,
  CreateOp,
  DeleteOp,
  DEVICE_FILES_ROUTE,
  FILES_ROUTE,
  LinkOp,
  StatusOp,
  uploadHeaders,
  type Reply,
} from './files-routes.js';
import { FilesService, uploaderOfDevice, uploaderOfPrincipal } from './files.service.js';

const id = new ZodValidationPipe(FileIdParam);

/** An official's attachments, with their own token (the web client, a signed-in handset). */
@ApiTags('secure-chat')
@ApiBearerAuth('bearer')
@RouteScope('self')
@Controller(FILES_ROUTE)
export class FilesController {
  constructor(
    private readonly files: FilesService,
    private readonly chunks: ChunkUploadService,
  ) {}

  @Post()
  @CreateOp()
  create(
    @ZodBody(CreateUploadInput) b: z.output<typeof CreateUploadInput>,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.files.create(uploaderOfPrincipal(p), b);
  }

  @Get(':id')
  @StatusOp()
  async status(
    @Param('id', id) i: string,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) r: Reply,
  ) {
    return uploadHeaders(r, await this.files.status(uploaderOfPrincipal(p), i));
  }

  @Patch(':id')
  @ChunkOp()
  async chunk(
    @Param('id', id) i: string,
    @Body() body: unknown,
    @Headers() h: Record<string, string | undefined>,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) r: Reply,
  ) {
    return uploadHeaders(r, await this.chunks.append(uploaderOfPrincipal(p), i, chunkHeaders(h), body));
  }

  @Post(':id/link')
  @LinkOp()
  link(@Param('id', id) i: string, @CurrentPrincipal() p: Principal) {
    return this.files.newLink(uploaderOfPrincipal(p), i);
  }

  @Delete(':id')
  @DeleteOp()
  remove(@Param('id', id) i: string, @CurrentPrincipal() p: Principal): Promise<void> {
    return this.files.remove(uploaderOfPrincipal(p), i);
  }
}

/** The same, for handsets: the official is the one the device certificate was enrolled for. */
@ApiTags('secure-chat')
@DeviceRoute({ desktops: true })
@Controller(DEVICE_FILES_ROUTE)
export class DeviceFilesController {
  constructor(
    private readonly files: FilesService,
    private readonly chunks: ChunkUploadService,
  ) {}

  @Post()
  @CreateOp()
  create(
    @ZodBody(CreateUploadInput) b: z.output<typeof CreateUploadInput>,
    @CurrentDevice() d: DevicePrincipal,
  ) {
    return this.files.create(uploaderOfDevice(d), b);
  }

  @Get(':id')
  @StatusOp()
  async status(
    @Param('id', id) i: string,
    @CurrentDevice() d: DevicePrincipal,
    @Res({ passthrough: true }) r: Reply,
  ) {
    return uploadHeaders(r, await this.files.status(uploaderOfDevice(d), i));
  }

  @Patch(':id')
  @ChunkOp()
  async chunk(
    @Param('id', id) i: string,
    @Body() body: unknown,
    @Headers() h: Record<string, string | undefined>,
    @CurrentDevice() d: DevicePrincipal,
    @Res({ passthrough: true }) r: Reply,
  ) {
    return uploadHeaders(r, await this.chunks.append(uploaderOfDevice(d), i, chunkHeaders(h), body));
  }

  @Post(':id/link')
  @LinkOp()
  link(@Param('id', id) i: string, @CurrentDevice() d: DevicePrincipal) {
    return this.files.newLink(uploaderOfDevice(d), i);
  }

  @Delete(':id')
  @DeleteOp()
  remove(@Param('id', id) i: string, @CurrentDevice() d: DevicePrincipal): Promise<void> {
    return this.files.remove(uploaderOfDevice(d), i);
  }
}

const chunkHeaders = (h: Record<string, string | undefined>) => ({
  contentType: h['content-type'],
  uploadOffset: h['upload-offset'],
  contentLength: h['content-length'],
});
