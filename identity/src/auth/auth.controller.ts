import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  Public,
  RequestId,
  ZodBody,
  ZodResponse,
  named,
  type Principal,
} from '@pakawaaz/platform';
import { z } from 'zod';
import { AuthService } from './auth.service.js';

export const LoginRequest = named(
  'LoginRequest',
  z.object({ username: z.string().min(1).max(128), password: z.string().min(1).max(256) }).strict(),
  'input',
);
export const OperatorProfile = named(
  'OperatorProfile',
  z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    roles: z.array(z.string()),
    institutionId: z.string().nullable(),
    amr: z.array(z.string()),
    acr: z.string().nullable(),
  }),
);
export const LoginResponse = named(
  'LoginResponse',
  z.object({
    accessToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
    operator: OperatorProfile,
  }),
);
export const ErrorReply = named(
  'ErrorReply',
  z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
);

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, LoginResponse)
  @ZodResponse(401, ErrorReply, 'Wrong username or password (code invalid_credentials)')
  login(@ZodBody(LoginRequest) body: z.infer<typeof LoginRequest>, @RequestId() requestId: string) {
    return this.auth.login(body.username, body.password, requestId);
  }

  @Get('me')
  @ApiBearerAuth('bearer')
  @ZodResponse(200, OperatorProfile)
  me(@CurrentPrincipal() principal: Principal) {
    return this.auth.me(principal);
  }
}
