import { Readable } from 'node:stream';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  named,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { coreNetworkError, CORE_NETWORK_ERROR_STATUS } from '../core-network.errors.js';
import { BulkAssignmentService } from './bulk-assignment.service.js';

export const BulkAssignmentResult = named(
  'BulkAssignmentResult',
  z.object({
    dryRun: z.boolean(),
    totalRows: z.number().int(),
    assigned: z.number().int().describe('lines assigned (in a dry run: that would be)'),
    failed: z.number().int(),
    errors: z
      .array(
        z.object({
          line: z.number().int(),
          imsi: z.string().optional(),
          code: z.string().describe("a single assignment's error code, or invalid_line / duplicate_imsi"),
          reason: z.string(),
        }),
      )
      .describe('the first 1,000 refused lines'),
  }),
);
const BulkQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

@ApiTags('subscribers')
@ApiBearerAuth('bearer')
// Assigning takes SIMs from the national inventory (`sim-operator` is a national role); each line is also
// kept to the caller's scope by the service.
@RouteScope('national')
@ErrorCodes(
  CORE_NETWORK_ERROR_STATUS,
  'invalid_assignment_file',
  'assignment_file_too_large',
  'official_directory_unavailable',
)
@Controller('api/v1/subscribers/assignments')
export class BulkAssignmentController {
  constructor(private readonly bulk: BulkAssignmentService) {}

  /** Assign SIMs from a CSV file (`imsi,username`); each line succeeds or is reported on its own. */
  @Post()
  @Roles('sim-operator')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({
    schema: {
      type: 'string',
      description:
        'CSV with the header imsi,username (username or user id of an active official); at most 10,000 lines, 1 MiB',
    },
  })
  @ZodResponse(200, BulkAssignmentResult)
  async run(
    @Body() csv: unknown,
    @ZodQuery(BulkQuery) q: z.infer<typeof BulkQuery>,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string,
  ) {
    if (!(csv instanceof Readable))
      throw coreNetworkError(
        'invalid_assignment_file',
        'Send the CSV file as the request body with Content-Type: text/csv.',
      );
    return this.bulk.run(csv, { dryRun: q.dryRun, principal, requestId });
  }
}
