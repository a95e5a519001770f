import { Readable } from 'node:stream';
import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  Public,
  RequestId,
  Roles,
  RouteScope,
  ZodBody,
  ZodQuery,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { Client } from '../auth/client-meta.js';
import { ErrorReply } from '../auth/auth.dto.js';
import { identityError } from '../identity.errors.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import * as dto from './onboarding.dto.js';
import { OFFICIAL_COLUMNS } from './official-csv.js';
import { EnrolmentService } from './enrolment.service.js';
import { UserImportService } from './user-import.service.js';

/**
 * Bulk onboarding of officials (security officers): into the caller's institutions and below only — the
 * service plans every row inside the caller's scope, which the job keeps for its whole run.
 */
@ApiTags('users')
@ApiBearerAuth('bearer')
@RouteScope('institution')
@Controller('api/v1/user-imports')
export class UserImportsController {
  constructor(private readonly imports: UserImportService) {}

  /** Upload officials as `text/csv`; the job runs in the background — poll it for progress. */
  @Post()
  @Roles('security-officer')
  @HttpCode(202)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', description: `CSV with a header row: ${OFFICIAL_COLUMNS}` } })
  @ZodResponse(202, dto.UserImportJob, 'Accepted: the import runs in the background')
  async start(
    @Body() csv: unknown,
    @Headers('content-length') length: string | undefined,
    @ZodQuery(dto.UserImportQuery) q: z.infer<typeof dto.UserImportQuery>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    if (!(csv instanceof Readable))
      throw identityError(
        'invalid_user_import',
        'Send the CSV file as the request body with Content-Type: text/csv.',
      );
    const declaredBytes = length === undefined ? undefined : Number(length);
    const job = await this.imports.start(
      csv,
      { declaredBytes, filename: q.filename, dryRun: q.dryRun },
      { principal: p, requestId },
    );
    return dto.importJobView(job);
  }

  @Get()
  @Roles('security-officer')
  @ZodResponse(200, dto.UserImportJobList)
  async list(@CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return { jobs: (await this.imports.list({ principal: p, requestId })).map(dto.importJobView) };
  }

  @Get(':id')
  @Roles('security-officer')
  @ZodResponse(200, dto.UserImportJob)
  async job(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() requestId: string) {
    return dto.importJobView(await this.imports.job(id, { principal: p, requestId }));
  }

  /** The enrolment codes as CSV, once, to the one who started the import (then deleted; audited). */
  @Post(':id/codes')
  @Roles('security-officer')
  @HttpCode(200)
  @Header('content-type', 'text/csv; charset=utf-8')
  @Header('cache-control', 'no-store')
  @ApiProduces('text/csv')
  @ApiResponse({
    status: 200,
    description: 'username,enrolment_code,expires_at,imsi — one line per created official',
  })
  codes(
    @Param('id') id: string,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ): Promise<string> {
    return this.imports.codes(id, { principal: p, requestId });
  }
}

/** An official's first step: the enrolment code from their security officer, and a password of their own. */
@ApiTags('auth')
@RouteScope('self')
@Controller('api/v1/auth')
export class EnrolmentController {
  constructor(private readonly enrolment: EnrolmentService) {}

  @Post('enrol')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.EnrolResult, 'Enrolled: sign in with the new password (and enrol an authenticator)')
  @ZodResponse(
    401,
    ErrorReply,
    'Unknown, used or expired code, or not this account’s (code enrolment_code_invalid)',
  )
  @ZodResponse(429, ErrorReply, 'Too many attempts (code rate_limited, Retry-After)')
  async enrol(@ZodBody(dto.EnrolRequest) b: z.infer<typeof dto.EnrolRequest>, @Client() c: ClientMeta) {
    return { ...(await this.enrolment.redeem(b, c)), next: 'sign-in' as const };
  }
}
