import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { CALLS_ERROR_STATUS as E } from '../calls.errors.js';
import { CallHistoryPage, CallHistoryQuery } from './call-history.dto.js';
import { CallHistoryService } from './call-history.service.js';

/** Call records (metadata, never content): national operators see all, an institution's its own calls. */
@ApiTags('calls')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/calls/history')
export class CallHistoryController {
  constructor(private readonly history: CallHistoryService) {}

  /** Newest first; filters by time, outcome, official (username or id) and institution. */
  @Get()
  @Roles('media-admin', 'chat-admin', 'viewer')
  @ErrorCodes(E, 'invalid_call_input')
  @ZodResponse(200, CallHistoryPage)
  list(@ZodQuery(CallHistoryQuery) q: z.output<typeof CallHistoryQuery>, @CurrentPrincipal() p: Principal) {
    return this.history.history(q, p);
  }
}
