import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
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
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { CreateDeviceCommandRequest, DeviceCommand, DeviceCommandList } from './commands.dto.js';
import { CommandsService } from './commands.service.js';

type Reply = { status(code: number): unknown };

@ApiTags('devices')
@ApiBearerAuth('bearer')
// A device of another institution is not found (404), never "forbidden": its existence is not revealed.
@RouteScope('institution')
@ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_found')
@Controller('api/v1/devices/:id/commands')
export class CommandsController {
  constructor(private readonly commands: CommandsService) {}

  @Post()
  @Roles('device-admin')
  @ZodResponse(201, DeviceCommand, 'Queued; the handset is woken to check in and receives it then')
  @ZodResponse(200, DeviceCommand, 'The command this idempotency key already made (nothing new is queued)')
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_active', 'idempotency_key_reused')
  async create(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(CreateDeviceCommandRequest) body: z.infer<typeof CreateDeviceCommandRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: Reply,
  ) {
    const { command, created } = await this.commands.create(id, body, by, requestId);
    reply.status(created ? 201 : 200);
    return command;
  }

  @Get()
  @Roles('device-admin', 'viewer')
  @ZodResponse(200, DeviceCommandList, 'Newest first (the latest 200), each with its state')
  list(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() by: Principal) {
    return this.commands.list(id, by);
  }

  @Post(':commandId/cancel')
  @Roles('device-admin')
  @HttpCode(200)
  @ZodResponse(
    200,
    DeviceCommand,
    'Not delivered again; a handset that already received it may still have run it',
  )
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'command_not_found', 'command_not_cancellable')
  cancel(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('commandId', new ParseUUIDPipe()) commandId: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.commands.cancel(id, commandId, by, requestId);
  }
}
