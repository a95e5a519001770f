import { Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  ZodValidationPipe,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { APP_STORE_ERROR_STATUS } from '../app-store.errors.js';
import {
  AppRolloutHaltInput,
  AppRolloutIdParam,
  AppRolloutInput,
  AppRolloutList,
  AppRolloutListQuery,
  AppRolloutPercentInput,
  AppRolloutView,
  KillInput,
  KillResult,
} from './app-rollouts.dto.js';
import { AppRolloutsService } from './app-rollouts.service.js';

const id = () => new ZodValidationPipe(AppRolloutIdParam);

@ApiTags('app-store')
@ApiBearerAuth('bearer')
// An institution's reviewers roll out to their institution's handsets; national reviewers to any.
@RouteScope('institution')
@ErrorCodes(APP_STORE_ERROR_STATUS, 'invalid_store_input')
@Controller('api/v1/store')
export class AppRolloutsController {
  constructor(private readonly rollouts: AppRolloutsService) {}

  @Post('rollouts')
  @Roles('app-reviewer')
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'outside_institution_scope',
    'app_version_not_found',
    'version_not_rollable',
    'rollout_exists',
    'fleet_unavailable',
  )
  @ZodResponse(201, AppRolloutView, 'Running: its share of handsets lacking the version get the install now')
  start(
    @ZodBody(AppRolloutInput) body: z.output<typeof AppRolloutInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.rollouts.start(body, by, requestId);
  }

  @Get('rollouts')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'outside_institution_scope')
  @ZodResponse(200, AppRolloutList, 'Newest first, in the caller’s scope (figures: see one rollout)')
  list(
    @ZodQuery(AppRolloutListQuery) q: z.output<typeof AppRolloutListQuery>,
    @CurrentPrincipal() by: Principal,
  ) {
    return this.rollouts.list(q, by);
  }

  @Get('rollouts/:id')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'rollout_not_found')
  @ZodResponse(200, AppRolloutView, 'With its figures weighed from the fleet now (null without a fleet)')
  get(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal) {
    return this.rollouts.get(rolloutId, by);
  }

  @Post('rollouts/:id/percent')
  @Roles('app-reviewer')
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'rollout_not_found',
    'percent_not_increasing',
    'rollout_state_conflict',
    'fleet_unavailable',
  )
  @ZodResponse(200, AppRolloutView, 'Widened: the devices it held stay, more join')
  percent(
    @Param('id', id()) rolloutId: string,
    @ZodBody(AppRolloutPercentInput) body: z.output<typeof AppRolloutPercentInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.setPercent(rolloutId, body.percent, by, r);
  }

  @Post('rollouts/:id/pause')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'rollout_not_found', 'rollout_state_conflict')
  @ZodResponse(200, AppRolloutView, 'No new installs until resumed (it is still weighed, and may halt)')
  pause(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal, @RequestId() r: string) {
    return this.rollouts.pause(rolloutId, by, r);
  }

  @Post('rollouts/:id/resume')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'rollout_not_found', 'rollout_state_conflict', 'fleet_unavailable')
  @ZodResponse(200, AppRolloutView)
  resume(@Param('id', id()) rolloutId: string, @CurrentPrincipal() by: Principal, @RequestId() r: string) {
    return this.rollouts.resume(rolloutId, by, r);
  }

  @Post('rollouts/:id/halt')
  @Roles('app-reviewer')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'rollout_not_found', 'rollout_state_conflict')
  @ZodResponse(200, AppRolloutView, 'Final: nothing more is installed from it (installed handsets keep it)')
  halt(
    @Param('id', id()) rolloutId: string,
    @ZodBody(AppRolloutHaltInput) body: z.output<typeof AppRolloutHaltInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.halt(rolloutId, body, by, r);
  }

  @Post('versions/:id/kill')
  @Roles('app-reviewer')
  @ErrorCodes(
    APP_STORE_ERROR_STATUS,
    'app_version_not_found',
    'version_not_withdrawable',
    'fleet_unavailable',
  )
  @ZodResponse(201, KillResult, 'Withdrawn, its rollouts halted, uninstalled from every handset reporting it')
  kill(
    @Param('id', new ZodValidationPipe(AppRolloutIdParam)) versionId: string,
    @ZodBody(KillInput) body: z.output<typeof KillInput>,
    @CurrentPrincipal() by: Principal,
    @RequestId() r: string,
  ) {
    return this.rollouts.kill(versionId, body, by, r);
  }
}
