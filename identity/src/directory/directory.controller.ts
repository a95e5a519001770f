import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  CurrentPrincipal,
  DeviceRoute,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DirectoryService } from './directory.service.js';
import * as dto from './directory.dto.js';
import { InstitutionsService } from './institutions.service.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

@ApiTags('institutions')
@ApiBearerAuth('bearer')
// Reading is filtered to the caller's institutions; shaping the tree is national business.
@RouteScope('institution')
@ErrorCodes(
  IDENTITY_ERROR_STATUS,
  'institution_not_found',
  'institution_exists',
  'institution_in_use',
  'institution_invalid',
  'rate_limited',
)
@Controller('api/v1/institutions')
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Get()
  @ZodResponse(200, dto.InstitutionList)
  async list(@CurrentPrincipal() p: Principal) {
    return { institutions: await this.institutions.list({ principal: p, requestId: null }) };
  }

  @Post()
  @Roles('super-admin')
  @RouteScope('national')
  @ZodResponse(201, dto.Institution)
  create(
    @ZodBody(dto.CreateInstitution) b: z.infer<typeof dto.CreateInstitution>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.institutions.create(b, { principal: p, requestId: r });
  }

  @Get(':id')
  @ZodResponse(200, dto.Institution)
  get(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.institutions.get(id, { principal: p, requestId: null });
  }

  @Patch(':id')
  @Roles('super-admin')
  @RouteScope('national')
  @ZodResponse(200, dto.Institution)
  update(
    @Param('id') id: string,
    @ZodBody(dto.UpdateInstitution) b: z.infer<typeof dto.UpdateInstitution>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.institutions.update(id, b, { principal: p, requestId: r });
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('super-admin')
  @RouteScope('national')
  remove(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.institutions.remove(id, { principal: p, requestId: r });
  }
}

/** Officials look each other up here, within their institution's visibility. */
@ApiTags('directory')
@ApiBearerAuth('bearer')
@RouteScope('self')
@ErrorCodes(
  IDENTITY_ERROR_STATUS,
  'institution_not_found',
  'institution_exists',
  'institution_in_use',
  'institution_invalid',
  'rate_limited',
)
@Controller('api/v1/directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ZodResponse(200, dto.DirectoryPage)
  search(
    @ZodQuery(dto.DirectoryQuery) q: z.infer<typeof dto.DirectoryQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.directory.search(q, p);
  }
}

/**
 * People search for officials' devices — handsets (mutual TLS) and web clients (token + DPoP): whom the
 * device's official may start a chat with, by the chat's own visibility rule.
 */
@ApiTags('directory')
@DeviceRoute({ desktops: true })
@ErrorCodes(
  { ...IDENTITY_ERROR_STATUS, forbidden: PLATFORM_ERROR_STATUS.forbidden },
  'rate_limited',
  'forbidden',
)
@Controller('api/v1/directory/people')
export class PeopleController {
  constructor(private readonly directory: DirectoryService) {}

  @Get()
  @ZodResponse(200, dto.PeoplePage)
  people(
    @ZodQuery(dto.PeopleQuery) q: z.infer<typeof dto.PeopleQuery>,
    @CurrentDevice() device: DevicePrincipal,
  ) {
    return this.directory.people(device, q);
  }
}
