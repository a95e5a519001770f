import { Controller, Get, Headers, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  CurrentPrincipal,
  DeviceRoute,
  ErrorCodes,
  inScope,
  Public,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type DevicePrincipal,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { APP_STORE_ERROR_STATUS, appStoreError } from '../app-store.errors.js';
import { ApkDownloadsService } from './apk-downloads.service.js';
import {
  ApkSha256Param,
  CatalogueDiffQuery,
  CatalogueDiffView,
  CatalogueKey,
  CatalogueStatus,
  CatalogueView,
  InstitutionIdParam,
} from './catalogues.dto.js';
import { CataloguesService, type PublishedCatalogue } from './catalogues.service.js';

/** What the handlers need of Fastify's reply (the server's adapter). */
type Reply = { status(code: number): unknown; header(name: string, value: string): unknown };

/**
 * RFC 9110 §13.1.2: If-None-Match matches when any listed entity tag equals the current one by the weak
 * comparison (a GET), or it is `*`.
 */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque);
}

const deviceInstitution = (device: DevicePrincipal): string => {
  if (!device.institutionId)
    throw appStoreError('catalogue_not_found', 'This device belongs to no institution: it has no catalogue.');
  return device.institutionId;
};

/**
 * The handset's catalogue: scoped to the institution of the device its certificate names. The signature, not
 * the channel, is what the handset trusts (verifyCatalogue); the cheap path answers an unchanged ETag with 304
 * from memory.
 */
@ApiTags('app-store')
@DeviceRoute()
@ErrorCodes(APP_STORE_ERROR_STATUS, 'catalogue_not_found', 'catalogue_log_unavailable')
@Controller('api/v1/store/catalogue')
export class DeviceCatalogueController {
  constructor(private readonly catalogues: CataloguesService) {}

  @Get()
  @ApiHeader({ name: 'if-none-match', required: false, description: 'The ETag of the catalogue held' })
  @ZodResponse(200, CatalogueView, 'The signed entry and the index, with a strong ETag')
  @ApiResponse({ status: 304, description: 'The catalogue has not changed since the ETag given' })
  async catalogue(
    @CurrentDevice() device: DevicePrincipal,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<z.infer<typeof CatalogueView> | undefined> {
    const c = await this.catalogues.current(deviceInstitution(device));
    reply.header('etag', c.etag);
    reply.header('cache-control', 'no-cache');
    if (noneMatch(ifNoneMatch, c.etag)) {
      reply.status(304);
      return undefined;
    }
    return view(c);
  }

  @Get('diff')
  @ZodResponse(200, CatalogueDiffView, 'The current entry and the diff from the index of `from`')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'catalogue_diff_not_found')
  async diff(
    @CurrentDevice() device: DevicePrincipal,
    @ZodQuery(CatalogueDiffQuery) q: z.output<typeof CatalogueDiffQuery>,
  ): Promise<z.infer<typeof CatalogueDiffView>> {
    const { catalogue, diff } = await this.catalogues.diff(deviceInstitution(device), q.from);
    return {
      institutionId: catalogue.institutionId,
      timestamp: catalogue.timestamp,
      from: q.from,
      entry: catalogue.entryJws,
      diff,
    };
  }
}

/** An APK's media type (IANA registration, application/vnd.android.package-archive). */
export const APK_MEDIA_TYPE = 'application/vnd.android.package-archive';

/**
 * The APKs the handset installs, by SHA-256: only those its institution's current catalogue offers. The bytes
 * under a hash never change, so the ETag is the hash and caches may keep them for good (private: the route is
 * authenticated); the handset still checks the hash, the size and the signer against the signed catalogue.
 */
@ApiTags('app-store')
@DeviceRoute()
@ErrorCodes(APP_STORE_ERROR_STATUS, 'apk_not_found', 'catalogue_log_unavailable')
@Controller('api/v1/store/apks')
export class DeviceApkController {
  constructor(private readonly apks: ApkDownloadsService) {}

  @Get(':sha256')
  @ApiParam({
    name: 'sha256',
    description: "The catalogue version's `apkSha256`",
    schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  })
  @ApiHeader({ name: 'if-none-match', required: false, description: 'The ETag (the hash) of the APK held' })
  @ApiProduces(APK_MEDIA_TYPE)
  @ApiResponse({
    status: 200,
    description: 'The APK, with a strong ETag (its SHA-256) and immutable caching',
    content: { [APK_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({ status: 304, description: 'The APK named by the ETag is already held' })
  async apk(
    @CurrentDevice() device: DevicePrincipal,
    @Param('sha256', new ZodValidationPipe(ApkSha256Param)) sha256: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: Reply,
  ): Promise<StreamableFile | undefined> {
    // Checked on every request, 304 or not: a withdrawn APK is not confirmed either.
    const apk = await this.apks.forDevice(device, sha256);
    const etag = `"${apk.sha256}"`;
    reply.header('etag', etag);
    reply.header('cache-control', 'private, max-age=31536000, immutable');
    if (noneMatch(ifNoneMatch, etag)) {
      await apk.handle.close();
      reply.status(304);
      return undefined;
    }
    // autoClose: the stream closes the handle when it ends or the client goes away.
    return new StreamableFile(apk.handle.createReadStream({ autoClose: true }), {
      type: APK_MEDIA_TYPE,
      length: apk.size,
    });
  }
}

/** The catalogue key: public, as the signatures it checks are the protection (handsets pin it). */
@ApiTags('app-store')
@Public()
@Controller('api/v1/store/catalogue/key')
export class CatalogueKeyController {
  constructor(private readonly catalogues: CataloguesService) {}

  @Get()
  @ZodResponse(200, CatalogueKey)
  key(): z.infer<typeof CatalogueKey> {
    return { jwk: { ...this.catalogues.publicKey() } };
  }
}

/** Operators: an institution's current catalogue, and a rebuild on demand (institution-scoped). */
@ApiTags('app-store')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@ErrorCodes(APP_STORE_ERROR_STATUS, 'catalogue_not_found', 'catalogue_log_unavailable')
@Controller('api/v1/store/institutions')
export class InstitutionCatalogueController {
  constructor(private readonly catalogues: CataloguesService) {}

  @Get(':id/catalogue')
  @Roles('app-reviewer')
  @ZodResponse(200, CatalogueStatus)
  async catalogue(
    @Param('id', new ZodValidationPipe(InstitutionIdParam)) id: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<z.infer<typeof CatalogueStatus>> {
    return status(await this.catalogues.current(scoped(id, by)));
  }

  @Post(':id/catalogue/rebuild')
  @HttpCode(200)
  @Roles('app-reviewer')
  @ZodResponse(200, CatalogueStatus, 'The current catalogue: a new one when anything changed')
  async rebuild(
    @Param('id', new ZodValidationPipe(InstitutionIdParam)) id: string,
    @CurrentPrincipal() by: Principal,
  ): Promise<z.infer<typeof CatalogueStatus>> {
    return status(await this.catalogues.publish(scoped(id, by)));
  }
}

const scoped = (id: string, by: Principal): string => {
  // Outside the caller's scope the institution is as unknown as one that does not exist.
  if (!inScope(by, id)) throw appStoreError('catalogue_not_found', 'No catalogue of this institution.');
  return id;
};

const view = (c: PublishedCatalogue): z.infer<typeof CatalogueView> => ({
  institutionId: c.institutionId,
  timestamp: c.timestamp,
  entry: c.entryJws,
  index: c.index,
});

const status = (c: PublishedCatalogue): z.infer<typeof CatalogueStatus> => ({
  ...view(c),
  indexSha256: c.indexSha256,
  numPackages: c.numPackages,
});
