import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { DevicePolicy, DevicePolicyList, PolicyScopeParam, PutDevicePolicyRequest } from './policies.dto.js';
import { PoliciesService } from './policies.service.js';

// The national policy is changed by national principals only: the service answers the platform's 403.
const PUT_ERRORS = { ...DEVICE_MGMT_ERROR_STATUS, national_only: PLATFORM_ERROR_STATUS.national_only };

@ApiTags('devices')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'policy_not_found')
@Controller('api/v1/device-policies')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  @Roles('device-admin', 'viewer')
  @ZodResponse(
    200,
    DevicePolicyList,
    'The national policy first, then the institutions’ own (an institution sees its own)',
  )
  list(@CurrentPrincipal() by: Principal) {
    return this.policies.list(by);
  }

  @Get(':scope')
  @Roles('device-admin', 'viewer')
  @ZodResponse(
    200,
    DevicePolicy,
    "'national' or an institution id; an institution without its own shows the national one",
  )
  get(
    @Param('scope', new ZodValidationPipe(PolicyScopeParam)) scope: string,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.policies.get(scope, by);
  }

  @Put(':scope')
  @Roles('device-admin')
  @ZodResponse(
    200,
    DevicePolicy,
    "Stored as the scope's next version; 'national' needs a national principal (403 national_only); 409 policy_changed when baseVersion is not the scope's own version",
  )
  @ErrorCodes(PUT_ERRORS, 'policy_changed', 'policy_below_national_floor', 'national_only')
  put(
    @Param('scope', new ZodValidationPipe(PolicyScopeParam)) scope: string,
    @ZodBody(PutDevicePolicyRequest) body: z.infer<typeof PutDevicePolicyRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.policies.put(scope, body, by, requestId);
  }
}
