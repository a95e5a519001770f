import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { AlarmsService } from './alarms.service.js';
import {
  AlarmListQuery,
  KpiHistoryDto,
  KpiHistoryQuery,
  NetworkAlarmDto,
  NetworkAlarmListDto,
  NetworkHealthDto,
} from './network-health.dto.js';
import { NetworkHealthService } from './network-health.service.js';
import { NETWORK_HEALTH_ERROR_STATUS } from './network-health.errors.js';

@ApiTags('network-health')
@ApiBearerAuth('bearer')
@Roles('network-admin', 'viewer')
@RouteScope('national')
@ErrorCodes(NETWORK_HEALTH_ERROR_STATUS, 'alarm_not_found')
@Controller('api/v1/network')
export class NetworkHealthController {
  constructor(
    private readonly monitor: NetworkHealthService,
    private readonly alarms: AlarmsService,
  ) {}

  @Get('health')
  @ZodResponse(200, NetworkHealthDto, 'Per NF: up/down, last scrape, latest KPIs, whether it is simulated')
  health(): Promise<z.infer<typeof NetworkHealthDto>> {
    return this.monitor.hostHealth();
  }

  @Get('kpis')
  @ZodResponse(200, KpiHistoryDto, 'KPI history, newest first')
  kpis(
    @ZodQuery(KpiHistoryQuery) query: z.infer<typeof KpiHistoryQuery>,
  ): Promise<z.infer<typeof KpiHistoryDto>> {
    return this.monitor.kpiHistory(query);
  }

  @Get('alarms')
  @ZodResponse(200, NetworkAlarmListDto, 'Alarms, newest first')
  list(
    @ZodQuery(AlarmListQuery) query: z.infer<typeof AlarmListQuery>,
  ): Promise<z.infer<typeof NetworkAlarmListDto>> {
    return this.alarms.list(query);
  }

  @Post('alarms/:id/acknowledge')
  @HttpCode(200)
  @Roles('network-admin')
  @ZodResponse(200, NetworkAlarmDto, 'The alarm, acknowledged (acknowledging twice changes nothing)')
  acknowledge(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ): Promise<z.infer<typeof NetworkAlarmDto>> {
    return this.alarms.acknowledge(id, by, requestId);
  }
}
