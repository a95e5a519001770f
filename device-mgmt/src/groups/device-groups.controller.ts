import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { DevicePolicy, PutDevicePolicyRequest } from '../policies/policies.dto.js';
import {
  AddDeviceGroupMembers,
  CreateDeviceGroup,
  DeletedDeviceGroup,
  DeviceGroup,
  DeviceGroupDetail,
  DeviceGroupList,
  DeviceGroupListQuery,
  RenameDeviceGroup,
} from './device-groups.dto.js';
import { DeviceGroupsService } from './device-groups.service.js';

const CREATE_ERRORS = { ...DEVICE_MGMT_ERROR_STATUS, out_of_scope: PLATFORM_ERROR_STATUS.out_of_scope };

/** Device groups of an institution: members, and a policy of their own layered on the institution's. */
@ApiTags('devices')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_group_not_found')
@Controller('api/v1/device-groups')
export class DeviceGroupsController {
  constructor(private readonly groups: DeviceGroupsService) {}

  @Get()
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DeviceGroupList, 'The groups of the caller’s institutions (national: all)')
  list(
    @ZodQuery(DeviceGroupListQuery) q: z.infer<typeof DeviceGroupListQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    return this.groups.list(p, q.institution);
  }

  @Post()
  @Roles('device-admin')
  @ZodResponse(201, DeviceGroup)
  @ErrorCodes(CREATE_ERRORS, 'device_group_name_taken', 'device_group_institution_required', 'out_of_scope')
  create(
    @ZodBody(CreateDeviceGroup) body: z.infer<typeof CreateDeviceGroup>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.create(p, body, requestId);
  }

  @Get(':id')
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DeviceGroupDetail)
  show(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.groups.show(id, p);
  }

  @Patch(':id')
  @Roles('device-admin')
  @ZodResponse(200, DeviceGroup)
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_group_name_taken')
  rename(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(RenameDeviceGroup) body: z.infer<typeof RenameDeviceGroup>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.rename(id, body.name, p, requestId);
  }

  /** The members leave the group and follow the institution's policy again at their next check-in. */
  @Delete(':id')
  @Roles('device-admin')
  @ZodResponse(200, DeletedDeviceGroup)
  delete(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.delete(id, p, requestId);
  }

  /** Adds handsets by device id or official; a handset in another group of the institution moves here. */
  @Post(':id/members')
  @Roles('device-admin')
  @HttpCode(200)
  @ZodResponse(200, DeviceGroupDetail)
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_found', 'official_not_found')
  addMembers(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(AddDeviceGroupMembers) body: z.infer<typeof AddDeviceGroupMembers>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.addMembers(id, body, p, requestId);
  }

  @Delete(':id/members/:deviceId')
  @Roles('device-admin')
  @ZodResponse(200, DeviceGroupDetail)
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_found')
  removeMember(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('deviceId', new ParseUUIDPipe()) deviceId: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.removeMember(id, deviceId, p, requestId);
  }

  @Get(':id/policy')
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DevicePolicy, "The group's own policy, else its institution's, else the national one")
  getPolicy(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.groups.getPolicy(id, p);
  }

  @Put(':id/policy')
  @Roles('device-admin')
  @ZodResponse(
    200,
    DevicePolicy,
    "Stored as the group's next version (floors: the national policy); 409 policy_changed when baseVersion is not the group's own version",
  )
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'policy_changed', 'policy_below_national_floor')
  putPolicy(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(PutDevicePolicyRequest) body: z.infer<typeof PutDevicePolicyRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.groups.putPolicy(id, body, p, requestId);
  }
}
