import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { CALLS_ERROR_STATUS as E } from '../calls.errors.js';
import {
  CallIdParam,
  CallsStatusReply,
  OperatorEndedCall,
  MediaHost,
  MediaHostList,
  MediaHostRemoved,
  NewMediaHostInput,
} from '../calls.dto.js';
import { CallsStatusService } from '../calls-status.service.js';
import { CallRoomsService } from '../rooms/call-rooms.service.js';
import { MediaHostsService } from './media-hosts.service.js';

/** Media hosts (Janus instances) and whether calls work: national infrastructure. */
@ApiTags('calls')
@ApiBearerAuth('bearer')
@RouteScope('national')
@Controller('api/v1/calls')
export class MediaHostsController {
  constructor(
    private readonly hosts: MediaHostsService,
    private readonly calls: CallsStatusService,
    private readonly rooms: CallRoomsService,
  ) {}

  @Get('status')
  @Roles('media-admin', 'viewer')
  @ZodResponse(200, CallsStatusReply)
  status(@CurrentPrincipal() p: Principal) {
    return this.calls.status(p);
  }

  @Get('media-hosts')
  @Roles('media-admin')
  @ZodResponse(200, MediaHostList)
  list(@CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.hosts.list({ principal: p, requestId: r });
  }

  @Post('media-hosts')
  @Roles('media-admin')
  @ErrorCodes(E, 'media_host_exists', 'media_host_unreachable')
  @ZodResponse(201, MediaHost, 'Registered after its admin API answered; the secret is stored sealed')
  add(
    @ZodBody(NewMediaHostInput) b: z.infer<typeof NewMediaHostInput>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.hosts.add(b, { principal: p, requestId: r });
  }

  @Delete('media-hosts/:id')
  @Roles('media-admin')
  @ErrorCodes(E, 'media_host_not_found', 'media_host_busy')
  @ZodResponse(200, MediaHostRemoved)
  remove(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.hosts.remove(id, { principal: p, requestId: r });
  }

  /** Ends any live call nationwide (its room destroyed), e.g. one holding capacity it should not. */
  @Post(':callId/end')
  @HttpCode(200)
  @Roles('media-admin')
  @ErrorCodes(E, 'call_not_found')
  @ZodResponse(200, OperatorEndedCall)
  endCall(
    @Param('callId', new ZodValidationPipe(CallIdParam)) id: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.rooms.endByOperator(id, { principal: p, requestId: r });
  }
}
