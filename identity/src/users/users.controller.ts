import { Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AnyRole,
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { SessionList, TotpEnrolment } from '../auth/account.dto.js';
import { UserAdminService } from './user-admin.service.js';
import * as dto from './users.dto.js';

/**
 * Officials and NOC operators (security officers manage officials; super-admins manage operators and roles).
 * Every operator role may read them; an institution's operators see and act on its users only.
 */
@ApiTags('users')
@ApiBearerAuth('bearer')
@AnyRole()
@RouteScope('institution')
@Controller('api/v1/users')
export class UsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @ZodResponse(200, dto.UserPage)
  list(@ZodQuery(dto.UserQuery) q: z.infer<typeof dto.UserQuery>, @CurrentPrincipal() p: Principal) {
    return this.users.list(q, p);
  }

  @Post()
  @Roles('security-officer')
  @ZodResponse(201, dto.User)
  create(
    @ZodBody(dto.CreateUser) b: z.infer<typeof dto.CreateUser>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.users.create(b, { principal: p, requestId: r });
  }

  @Get(':id')
  @ZodResponse(200, dto.User)
  get(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.users.get(id, p);
  }

  @Patch(':id')
  @Roles('security-officer')
  @ZodResponse(200, dto.User)
  update(
    @Param('id') id: string,
    @ZodBody(dto.UpdateUser) b: z.infer<typeof dto.UpdateUser>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.users.update(id, b, { principal: p, requestId: r });
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Roles('security-officer')
  @ZodResponse(200, dto.User, 'Disabled: every session ends at once')
  disable(
    @Param('id') id: string,
    @ZodBody(dto.StatusChange) b: z.infer<typeof dto.StatusChange>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.users.setStatus(id, 'disabled', b.reason ?? null, { principal: p, requestId: r });
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Roles('security-officer')
  @ZodResponse(200, dto.User)
  enable(
    @Param('id') id: string,
    @ZodBody(dto.StatusChange) b: z.infer<typeof dto.StatusChange>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.users.setStatus(id, 'active', b.reason ?? null, { principal: p, requestId: r });
  }

  @Post(':id/password-reset')
  @HttpCode(200)
  @Roles('security-officer')
  @ZodResponse(200, dto.PasswordResetResult, 'A temporary password the user must change at the next sign-in')
  reset(
    @Param('id') id: string,
    @ZodBody(dto.PasswordReset) b: z.infer<typeof dto.PasswordReset>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.users.resetPassword(id, b.password, { principal: p, requestId: r });
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @Roles('security-officer')
  @ZodResponse(200, dto.User, 'Clears a lock-out after too many failed sign-ins')
  unlock(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.unlock(id, { principal: p, requestId: r });
  }

  @Post(':id/totp')
  @Roles('security-officer')
  @ZodResponse(201, TotpEnrolment, 'Issues an active TOTP authenticator (replacing any other)')
  provisionTotp(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.provisionTotp(id, { principal: p, requestId: r });
  }

  @Delete(':id/totp')
  @HttpCode(204)
  @Roles('security-officer')
  removeTotp(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.removeTotp(id, { principal: p, requestId: r });
  }

  @Get(':id/sessions')
  @ZodResponse(200, SessionList)
  sessions(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.sessions(id, { principal: p, requestId: r });
  }

  @Delete(':id/sessions')
  @Roles('security-officer')
  @ZodResponse(200, dto.RevokedSessions, 'Every session of the user ends at once')
  revokeSessions(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.revokeSessions(id, { principal: p, requestId: r });
  }
}
