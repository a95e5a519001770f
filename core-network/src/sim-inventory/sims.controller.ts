import { Readable } from 'node:stream';
import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  DataKeyService,
  RequestId,
  Roles,
  RouteScope,
  ZodQuery,
  ZodResponse,
  isoDateTime,
  named,
  type Principal,
  ErrorCodes,
  isUuid,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { coreNetworkError, CORE_NETWORK_ERROR_STATUS } from '../core-network.errors.js';
import { SimImportService } from './sim-import.service.js';
import { SimInventoryRepository, type SimImportJobRow } from './sim-inventory.repository.js';

export const SimImportJob = named(
  'SimImportJob',
  z.object({
    id: z.string(),
    filename: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    totalRows: z.number().int(),
    processedRows: z
      .number()
      .int()
      .describe('rows committed so far (imported + duplicates + conflicts + invalid)'),
    imported: z.number().int(),
    duplicates: z.number().int(),
    conflicts: z.number().int(),
    invalid: z.number().int(),
    errors: z.array(z.object({ line: z.number().int(), reason: z.string(), imsi: z.string().optional() })),
    failure: z.string().nullable(),
    createdAt: isoDateTime(),
    finishedAt: isoDateTime().nullable(),
  }),
);
export const SimImportJobList = named('SimImportJobList', z.object({ jobs: z.array(SimImportJob) }));
export const SimCard = named(
  'SimCard',
  z.object({
    imsi: z.string(),
    iccid: z.string().nullable(),
    msisdn: z.string().nullable(),
    batch: z.string().nullable(),
    status: z.enum(['available', 'assigned', 'retired']),
    createdAt: isoDateTime(),
  }),
);
export const SimList = named(
  'SimList',
  z.object({
    sims: z.array(SimCard),
    next: z.string().nullable(),
    counts: z.object({ available: z.number(), assigned: z.number(), retired: z.number() }),
  }),
);
export const KekRotation = named('KekRotation', z.object({ kekId: z.string(), rewrapped: z.number().int() }));
const SimQuery = z.object({
  search: z
    .string()
    .regex(/^[0-9+]{1,20}$/, 'digits of an IMSI, ICCID or MSISDN')
    .optional(),
  status: z.enum(['available', 'assigned', 'retired']).optional(),
  batch: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  after: z
    .string()
    .regex(/^\d{15}$/)
    .optional(),
});
const ImportQuery = z.object({
  filename: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/)
    .default('upload.csv'),
});

export function jobView(j: SimImportJobRow): z.infer<typeof SimImportJob> {
  const processedRows = j.imported + j.duplicates + j.conflicts + j.invalid;
  return {
    id: j.id,
    filename: j.filename,
    status: j.status,
    totalRows: j.totalRows,
    processedRows,
    imported: j.imported,
    duplicates: j.duplicates,
    conflicts: j.conflicts,
    invalid: j.invalid,
    errors: j.errors,
    failure: j.failure,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  };
}

@ApiTags('sims')
@ApiBearerAuth('bearer')
// The SIM inventory and its keys are national: SIMs belong to no institution until assigned (subscribers).
@RouteScope('national')
@ErrorCodes(
  CORE_NETWORK_ERROR_STATUS,
  'sim_import_too_large',
  'invalid_sim_import',
  'sim_import_not_found',
  'network_spec_missing',
)
@Controller('api/v1/sims')
export class SimsController {
  constructor(
    private readonly imports: SimImportService,
    private readonly repo: SimInventoryRepository,
    private readonly keys: DataKeyService,
  ) {}

  /** Upload a vendor batch as `text/csv`; the job runs in the background — poll it for progress. */
  @Post('imports')
  @Roles('sim-operator')
  @HttpCode(202)
  @ApiConsumes('text/csv')
  @ApiBody({
    schema: {
      type: 'string',
      description:
        'CSV with a header row: imsi,iccid,ki,opc (or op) [,msisdn,batch]; or a Magma NMS subscriber export',
    },
  })
  @ZodResponse(202, SimImportJob, 'Accepted: the import runs in the background')
  async startImport(
    @Body() csv: unknown,
    @Headers('content-length') length: string | undefined,
    @ZodQuery(ImportQuery) q: z.infer<typeof ImportQuery>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    // The body is the request stream itself (read by the service, limits checked as it arrives).
    if (!(csv instanceof Readable))
      throw coreNetworkError(
        'invalid_sim_import',
        'Send the CSV file as the request body with Content-Type: text/csv.',
      );
    const declared = length === undefined ? undefined : Number(length);
    return jobView(await this.imports.start(csv, declared, q.filename, by, requestId));
  }

  @Get('imports')
  @Roles('sim-operator', 'viewer')
  @ZodResponse(200, SimImportJobList)
  async listImports() {
    return { jobs: (await this.repo.listJobs(50)).map(jobView) };
  }

  @Get('imports/:id')
  @Roles('sim-operator', 'viewer')
  @ZodResponse(200, SimImportJob)
  async importJob(@Param('id') id: string) {
    const job = isUuid(id) ? await this.imports.job(id) : undefined;
    if (!job) throw coreNetworkError('sim_import_not_found', 'No SIM import job with this id.');
    return jobView(job);
  }

  @Get()
  @Roles('sim-operator', 'viewer', 'network-admin')
  @ZodResponse(200, SimList)
  async list(@ZodQuery(SimQuery) q: z.infer<typeof SimQuery>) {
    // One row more than asked tells whether another page exists, so `next` is never a dead end.
    const [rows, counts] = await Promise.all([
      this.repo.listSims({ ...q, limit: q.limit + 1 }),
      this.repo.counts(),
    ]);
    const sims = rows.slice(0, q.limit).map((s) => ({ ...s, createdAt: s.createdAt.toISOString() }));
    return { sims, next: rows.length > q.limit ? (sims.at(-1)?.imsi ?? null) : null, counts };
  }

  /** Re-wraps every data key under a new key-encryption key; SIM ciphertexts are untouched. */
  @Post('kek/rotate')
  @Roles('security-officer')
  @HttpCode(200)
  @ZodResponse(200, KekRotation)
  rotate(@CurrentPrincipal() by: Principal, @RequestId() requestId: string) {
    return this.keys.rotate(by.actor, requestId);
  }
}
