import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  Public,
  isoDateTime,
  RequestId,
  Roles,
  RouteScope,
  roleSchema,
  ZodBody,
  ZodResponse,
  named,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { TokenService } from './token.service.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

export const CreateApiTokenRequest = named(
  'CreateApiTokenRequest',
  z
    .object({
      name: z.string().min(1).max(100),
      roles: z.array(roleSchema()).min(1).max(16),
      institutionId: z.uuid().nullable().optional(),
      expiresInDays: z.number().int().min(1).max(3650).optional(),
    })
    .strict(),
  'input',
);
export const ApiToken = named(
  'ApiToken',
  z.object({
    id: z.string(),
    name: z.string(),
    roles: z.array(z.string()),
    institutionId: z.string().nullable(),
    createdBy: z.string(),
    /** The person whose current roles bound the token, by username; null for none (the bootstrap token). */
    owner: z.string().nullable(),
    // Dates leave as ISO-8601 strings (JSON.stringify of a Date).
    createdAt: isoDateTime(),
    expiresAt: isoDateTime().nullable(),
    revokedAt: isoDateTime().nullable(),
    lastUsedAt: isoDateTime().nullable(),
  }),
);
export const CreatedApiToken = named('CreatedApiToken', ApiToken.extend({ token: z.string() }));
export const ApiTokenList = named('ApiTokenList', z.object({ tokens: z.array(ApiToken) }));
export const Jwks = named('Jwks', z.object({ keys: z.array(z.record(z.string(), z.string())) }));

@ApiTags('tokens')
@ApiBearerAuth('bearer')
@Roles('super-admin')
// Automation credentials for the whole system, issued by super-admins (who are national).
@RouteScope('national')
@ErrorCodes(IDENTITY_ERROR_STATUS, 'token_not_found', 'institution_not_found', 'invalid_role', 'role_scope')
@Controller('api/v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Post()
  @ZodResponse(201, CreatedApiToken, 'The token secret is shown only in this response')
  create(
    @ZodBody(CreateApiTokenRequest) body: z.infer<typeof CreateApiTokenRequest>,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tokens.createApiToken(body, by, requestId);
  }

  @Get()
  @ZodResponse(200, ApiTokenList)
  async list() {
    return { tokens: await this.tokens.listApiTokens() };
  }

  @Delete(':id')
  @HttpCode(204)
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() by: Principal,
    @RequestId() requestId: string,
  ) {
    return this.tokens.revokeApiToken(id, by, requestId);
  }
}

@ApiTags('auth')
@ErrorCodes(IDENTITY_ERROR_STATUS, 'token_not_found', 'institution_not_found', 'invalid_role', 'role_scope')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly tokens: TokenService) {}

  @Get('jwks.json')
  @Public()
  @ZodResponse(200, Jwks)
  jwks() {
    return this.tokens.jwks();
  }
}
