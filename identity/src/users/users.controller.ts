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
  ErrorCodes,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { SessionList } from '../auth/account.dto.js';
import { FactorResetService } from './factor-reset.service.js';
import { UserAdminService } from './user-admin.service.js';
import * as dto from './users.dto.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

/** What the user routes and the factor-reset routes may refuse with (the resets act on users). */
const USER_ERRORS = [
  'user_not_found',
  'user_exists',
  'invalid_role',
  'role_scope',
  'weak_password',
  'institution_not_found',
  'factor_reset_not_found',
  'factor_reset_pending',
  'two_person_rule',
] as const;

/**
 * Officials and NOC operators (security officers manage officials; super-admins manage operators and roles).
 * Every operator role may read them; an institution's operators see and act on its users only.
 */
@ApiTags('users')
@ApiBearerAuth('bearer')
@AnyRole()
@RouteScope('institution')
@ErrorCodes(IDENTITY_ERROR_STATUS, ...USER_ERRORS)
@Controller('api/v1/users')
export class UsersController {
  constructor(
    private readonly users: UserAdminService,
    private readonly resets: FactorResetService,
  ) {}

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
  @ZodResponse(200, dto.User, 'Reopens a password step closed after the guess limit, and clears the count')
  unlock(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.users.unlock(id, { principal: p, requestId: r });
  }

  @Post(':id/factor-reset')
  @HttpCode(200)
  @Roles('security-officer')
  @ZodResponse(
    200,
    dto.FactorResetResult,
    'Removes TOTP, recovery codes and passkeys (the user enrols anew at the next sign-in); for an operator with a national role, a request another administrator approves',
  )
  @ZodResponse(409, dto.ErrorReply, 'A request for this user is already pending (code factor_reset_pending)')
  factorReset(
    @Param('id') id: string,
    @ZodBody(dto.FactorResetRequest) b: z.infer<typeof dto.FactorResetRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.resets.request(id, b, { principal: p, requestId: r });
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

/** Two-person factor resets waiting for (or given) a second administrator's decision. */
@ApiTags('users')
@ApiBearerAuth('bearer')
@RouteScope('national')
@Roles('security-officer')
@ErrorCodes(IDENTITY_ERROR_STATUS, ...USER_ERRORS)
@Controller('api/v1/factor-resets')
export class FactorResetsController {
  constructor(private readonly resets: FactorResetService) {}

  @Get()
  @ZodResponse(200, dto.FactorResetList)
  async list(
    @ZodQuery(dto.FactorResetQuery) q: z.infer<typeof dto.FactorResetQuery>,
    @CurrentPrincipal() p: Principal,
  ) {
    return { requests: await this.resets.list(q, { principal: p, requestId: null }) };
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ZodResponse(
    200,
    dto.FactorResetResult,
    'The reset is done; the response carries the approver’s half of the one-time password',
  )
  @ZodResponse(403, dto.ErrorReply, 'The requester (or an API token) cannot approve (code two_person_rule)')
  approve(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return this.resets.approve(id, { principal: p, requestId: r });
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ZodResponse(200, dto.FactorResetRequestView)
  reject(
    @Param('id') id: string,
    @ZodBody(dto.StatusChange) b: z.infer<typeof dto.StatusChange>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.resets.reject(id, b.reason ?? null, { principal: p, requestId: r });
  }
}
