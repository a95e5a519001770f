import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  DeviceRoute,
  ErrorCodes,
  ZodBody,
  ZodResponse,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DeviceCommand } from '../commands/commands.dto.js';
import { CommandsService } from '../commands/commands.service.js';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { AcknowledgeCommandRequest, CheckInReply, CheckInReport } from './check-in.dto.js';
import { CheckInService } from './check-in.service.js';

/** The handset's own routes: authenticated by its device certificate, acting on that device only. */
@ApiTags('device')
@DeviceRoute()
@ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'device_not_found', 'device_not_active')
@Controller('api/v1/device')
export class CheckInController {
  constructor(
    private readonly checkIns: CheckInService,
    private readonly commands: CommandsService,
  ) {}

  @Post('check-in')
  @HttpCode(200)
  @ZodResponse(200, CheckInReply, 'The policy when it changed, the commands to run, the compliance verdict')
  checkIn(
    @ZodBody(CheckInReport) body: z.infer<typeof CheckInReport>,
    @CurrentDevice() device: DevicePrincipal,
  ) {
    return this.checkIns.checkIn(device, body);
  }

  @Post('commands/:id/ack')
  @HttpCode(200)
  @ZodResponse(200, DeviceCommand, 'Recorded once: repeating an acknowledgement changes nothing')
  @ErrorCodes(DEVICE_MGMT_ERROR_STATUS, 'command_not_found', 'command_not_delivered')
  acknowledge(
    @Param('id', new ParseUUIDPipe()) id: string,
    @ZodBody(AcknowledgeCommandRequest) body: z.infer<typeof AcknowledgeCommandRequest>,
    @CurrentDevice() device: DevicePrincipal,
  ) {
    return this.commands.acknowledge(device, { commandId: id, ...body });
  }
}
