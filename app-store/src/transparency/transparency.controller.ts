import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorCodes, RouteScope, ZodQuery, ZodResponse } from '@pakawaaz/platform';
import type { z } from 'zod';
import { APP_STORE_ERROR_STATUS } from '../app-store.errors.js';
import { ConsistencyQuery, ConsistencyView, InclusionQuery, InclusionView } from './transparency.dto.js';
import { TransparencyLogService } from './transparency-log.service.js';

/**
 * The APK transparency log, read-only. One national log, public by design (that is what makes it a
 * transparency log): any signed-in principal, of any institution, reads all of it, and nothing in it is
 * institution data to filter. Hence the institution classification, which lets institution principals in.
 */
@ApiTags('app-store')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/store/log')
export class StoreLogController {
  constructor(private readonly log: TransparencyLogService) {}

  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The latest checkpoint: a C2SP tlog-checkpoint signed note',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  checkpoint(): Promise<string> {
    return this.log.latestCheckpoint();
  }

  @Get('key')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The log\'s C2SP verifier key, "name+keyid+base64" (its name is the origin)',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  key(): string {
    return `${this.log.verifierKey()}\n`;
  }

  @Get('inclusion')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'log_entry_not_found', 'log_size_invalid')
  @ZodResponse(200, InclusionView, "The APK's leaf and its audit path in the tree of treeSize")
  inclusion(@ZodQuery(InclusionQuery) q: z.output<typeof InclusionQuery>) {
    return this.log.inclusion(q.sha256, q.treeSize);
  }

  @Get('consistency')
  @ErrorCodes(APP_STORE_ERROR_STATUS, 'log_size_invalid')
  @ZodResponse(200, ConsistencyView, 'Proves the tree of `to` extends the tree of `from`')
  consistency(@ZodQuery(ConsistencyQuery) q: z.output<typeof ConsistencyQuery>) {
    return this.log.consistency(q.from, q.to);
  }
}
