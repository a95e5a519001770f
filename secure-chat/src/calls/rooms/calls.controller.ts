import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import {
  CurrentDevice,
  DeviceRoute,
  ErrorCodes,
  ZodBody,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type DevicePrincipal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { CALLS_ERROR_STATUS as E } from '../calls.errors.js';
import { CallIdParam, CallJoin, CallReply, LiveCalls, LiveCallsQuery, StartCallInput } from '../calls.dto.js';
import { FloodLimited } from '../../ws/chat-flood.js';
import { CallsService } from './calls.service.js';

const callId = new ZodValidationPipe(CallIdParam);
const ID = ApiParam({ name: 'callId', schema: { type: 'string', format: 'uuid' } });

/**
 * Calls of chat groups for enrolled devices (the device certificate of the TLS session): start a group's call,
 * join, leave, end. Every operation acts on the calling device, inside groups it is a member of, and draws on
 * the device's chat flood bucket for KeyPackage claims (each costs Janus and database work).
 */
@ApiTags('calls')
@DeviceRoute({ desktops: true })
@Controller('api/v1/chat/calls')
export class CallsController {
  constructor(private readonly calls: CallsService) {}

  /** Starts the group's call on a media host and joins the calling device to it. */
  @Post()
  @ErrorCodes(E, 'call_not_found', 'call_in_progress', 'call_limit_reached', 'calls_unavailable')
  @FloodLimited('claims')
  @ZodResponse(201, CallJoin)
  start(@ZodBody(StartCallInput) b: z.infer<typeof StartCallInput>, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.start(d, b.groupId);
  }

  /**
   * The live calls of the device's groups (`groupId`: of that one), with who is in them: a device that was
   * never rung (offline through the ring, added to the group later, reloaded) finds the call to join.
   */
  @Get()
  @ErrorCodes(E, 'call_not_found')
  @FloodLimited('claims')
  @ZodResponse(200, LiveCalls)
  live(@ZodQuery(LiveCallsQuery) q: z.infer<typeof LiveCallsQuery>, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.live(d, q.groupId);
  }

  @Get(':callId')
  @ID
  @ErrorCodes(E, 'call_not_found')
  @FloodLimited('claims')
  @ZodResponse(200, CallReply)
  get(@Param('callId', callId) id: string, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.get(d, id);
  }

  /** The Janus URL, room, participant id and join token, and TURN credentials, for the calling device. */
  @Post(':callId/join')
  @HttpCode(200)
  @ID
  @ErrorCodes(E, 'call_not_found', 'call_ended', 'call_full', 'calls_unavailable')
  @FloodLimited('claims')
  @ZodResponse(200, CallJoin)
  join(@Param('callId', callId) id: string, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.join(d, id);
  }

  /** The device leaves (its token is revoked, it is kicked); the last one out ends the call. */
  @Post(':callId/leave')
  @HttpCode(200)
  @ID
  @ErrorCodes(E, 'call_not_found', 'calls_unavailable')
  @FloodLimited('claims')
  @ZodResponse(200, CallReply)
  leave(@Param('callId', callId) id: string, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.leave(d, id);
  }

  /** The starter ends the call for everyone (the room is destroyed). */
  @Post(':callId/end')
  @HttpCode(200)
  @ID
  @ErrorCodes(E, 'call_not_found', 'not_call_starter')
  @FloodLimited('claims')
  @ZodResponse(200, CallReply)
  end(@Param('callId', callId) id: string, @CurrentDevice() d: DevicePrincipal) {
    return this.calls.end(d, id);
  }
}
