import { Controller, Get, Param, Post, Put } from '@nestjs/common';
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
import { HARDENED_OS_ERROR_STATUS } from '../hardened-os.errors.js';
import {
  AdvanceInput,
  HaltInput,
  InstitutionIdParam,
  RingInput,
  RingList,
  RolloutIdParam,
  RolloutInput,
  RolloutList,
  RolloutView,
} from './rollouts.dto.js';
import { ROLLOUT_READERS, RolloutsService } from './rollouts.service.js';

const id = () => new ZodValidationPipe(RolloutIdParam);

@ApiTags('hardened-os')
@ApiBearerAuth('bearer')
// Rollouts are national business; an institution's readers see them with their own devices' progress only.
@RouteScope('institution')
@ErrorCodes(HARDENED_OS_ERROR_STATUS, 'invalid_rollout', 'rollout_not_found')
@Controller('api/v1/os')
export class OsRolloutsController {
  constructor(private readonly rollouts: RolloutsService) {}

  @Get('rollouts')
  @Roles(...ROLLOUT_READERS)
  @ZodResponse(200, RolloutList, "Newest first; an institution's readers see their devices' counts only")
  list(@CurrentPrincipal() by: Principal) {
    return this.rollouts.list(by);
  }

  @Post('rollouts')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'release_not_found', 'rollout_exists_for_model')
  @ZodResponse(201, RolloutView, 'Running at once, or scheduled when startAt is later')
  create(
    @ZodBody(RolloutInput) body: z.output<typeof RolloutInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.rollouts.create(body, by, requestId);
  }

  @Get('rollouts/:id')
  @Roles(...ROLLOUT_READERS)
  @ZodResponse(200, RolloutView)
  get(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal) {
    return this.rollouts.get(rolloutId, by);
  }

  @Post('rollouts/:id/pause')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'rollout_state_conflict')
  @ZodResponse(200, RolloutView, 'Handsets are offered nothing from it until it is resumed')
  pause(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal, @RequestId() r: string) {
    return this.rollouts.pause(rolloutId, by, r);
  }

  @Post('rollouts/:id/resume')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'rollout_state_conflict')
  @ZodResponse(200, RolloutView, 'The current stage soaks again in full')
  resume(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal, @RequestId() r: string) {
    return this.rollouts.resume(rolloutId, by, r);
  }

  @Post('rollouts/:id/advance')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'rollout_state_conflict', 'rollout_stage_over_threshold')
  @ZodResponse(
    200,
    RolloutView,
    'The next stage starts now (after the last one: completed); refused over the failure threshold unless force',
  )
  advance(
    @Param('id', id()) rolloutId: string,
    @ZodBody(AdvanceInput) body: z.infer<typeof AdvanceInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.advance(rolloutId, by, r, body.force === true);
  }

  @Post('rollouts/:id/halt')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'rollout_state_conflict')
  @ZodResponse(200, RolloutView, 'Final: handsets are offered its release no more (create a new rollout)')
  halt(
    @Param('id', id()) rolloutId: string,
    @ZodBody(HaltInput) body: z.infer<typeof HaltInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.halt(rolloutId, body.reason, by, r);
  }

  @Get('rings')
  @Roles(...ROLLOUT_READERS)
  @ZodResponse(200, RingList, "Institutions with a ring set (national), or the caller's institutions")
  rings(@CurrentPrincipal() by: Principal) {
    return this.rollouts.rings(by);
  }

  @Put('rings/:institutionId')
  @Roles('os-admin')
  @RouteScope('national')
  @ErrorCodes(HARDENED_OS_ERROR_STATUS, 'unknown_institution')
  @ZodResponse(200, RingList, 'Every institution without a ring is in broad')
  setRing(
    @Param('institutionId', new ZodValidationPipe(InstitutionIdParam)) institutionId: string,
    @ZodBody(RingInput) body: z.infer<typeof RingInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.setRing(institutionId, body, by, r);
  }
}
