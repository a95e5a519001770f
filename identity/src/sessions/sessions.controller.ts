import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodResponse,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import { SessionList } from '../auth/account.dto.js';
import { SessionsService } from './sessions.service.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

/** Live sign-in sessions across the system (NOC), and revocation that takes effect at once. */
@ApiTags('sessions')
@ApiBearerAuth('bearer')
// Sessions of the caller's institution's users (the caller's own, always).
@RouteScope('institution')
@ErrorCodes(IDENTITY_ERROR_STATUS, 'session_not_found', 'user_not_found')
@Controller('api/v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @Roles('security-officer', 'viewer')
  @ZodResponse(200, SessionList)
  async list(@CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return { sessions: await this.sessions.list({ principal: p, requestId: r }) };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.sessions.revoke(id, { principal: p, requestId: r });
  }
}
