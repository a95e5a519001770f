import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  AnyRole,
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
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';
import { Institution } from './directory.dto.js';
import { InstitutionsService } from './institutions.service.js';
import { RolloutPlan, SetRolloutPhase } from './rollout.dto.js';
import { RolloutService } from './rollout.service.js';

@ApiTags('rollout')
@ApiBearerAuth('bearer')
// The plan is shown with the institutions the caller may list; moving one is national business.
@RouteScope('institution')
@Controller('api/v1/rollout')
export class RolloutController {
  constructor(private readonly rollout: RolloutService) {}

  @Get()
  // Operators' business (an official, or an operator whose roles the MFA policy holds back, has none).
  @AnyRole()
  @ZodResponse(200, RolloutPlan)
  plan(@CurrentPrincipal() p: Principal) {
    return this.rollout.plan({ principal: p, requestId: null });
  }
}

@ApiTags('rollout')
@ApiBearerAuth('bearer')
@RouteScope('national')
@ErrorCodes(IDENTITY_ERROR_STATUS, 'institution_not_found', 'institution_phase_changed')
@Controller('api/v1/institutions')
export class InstitutionPhaseController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Post(':id/rollout-phase')
  @HttpCode(200)
  @Roles('super-admin')
  @ZodResponse(200, Institution)
  setPhase(
    @Param('id') id: string,
    @ZodBody(SetRolloutPhase) b: z.infer<typeof SetRolloutPhase>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.institutions.setPhase(id, b.phase, b.from, { principal: p, requestId: r });
  }
}
