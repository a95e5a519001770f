import { Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { CORE_NETWORK_ERROR_STATUS } from '../core-network.errors.js';
import { ProfileTemplateList, SaveProfile } from './subscriber-profiles.dto.js';
import { SubscriberProfilesService } from './subscriber-profiles.service.js';

@ApiTags('subscribers')
@ApiBearerAuth('bearer')
// Profile templates are national network configuration (slices, DNNs, QoS).
@RouteScope('national')
@ErrorCodes(
  CORE_NETWORK_ERROR_STATUS,
  'profile_not_found',
  'profile_in_use',
  'invalid_profile',
  'profile_strands_static_addresses',
)
@Controller('api/v1/subscriber-profiles')
export class SubscriberProfilesController {
  constructor(private readonly profiles: SubscriberProfilesService) {}

  @Get()
  @Roles('viewer', 'sim-operator', 'network-admin')
  @ZodResponse(200, ProfileTemplateList)
  list(@CurrentPrincipal() p: Principal) {
    return this.profiles.list(p);
  }

  @Put(':name')
  @Roles('network-admin')
  @HttpCode(204)
  save(
    @Param('name') name: string,
    @ZodBody(SaveProfile) body: z.infer<typeof SaveProfile>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.profiles.save(name, body.description, body.profile, { principal: p, requestId });
  }

  @Delete(':name')
  @Roles('network-admin')
  @HttpCode(204)
  remove(@Param('name') name: string, @CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return this.profiles.remove(name, { principal: p, requestId });
  }
}
