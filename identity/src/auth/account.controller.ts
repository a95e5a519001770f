import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequestId,
  RequireAnyAmr,
  RouteScope,
  ZodBody,
  ZodResponse,
  type Principal,
  ErrorCodes,
} from '@pakawaaz/platform';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { z } from 'zod';
import { PasskeysService } from '../mfa/passkeys.service.js';
import { TotpService } from '../mfa/totp.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import * as dto from './account.dto.js';
import { WebAuthnOptions } from './auth.dto.js';
import { AccountService } from './account.service.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

/** Self-service: the caller's own TOTP, recovery codes, passkeys and sessions. */
@ApiTags('account')
@ApiBearerAuth('bearer')
@RouteScope('self')
@ErrorCodes(
  IDENTITY_ERROR_STATUS,
  'invalid_credentials',
  'weak_password',
  'totp_not_enrolled',
  'totp_already_enrolled',
  'totp_invalid',
  'passkey_invalid',
  'passkey_not_found',
)
@Controller('api/v1/account')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly totp: TotpService,
    private readonly passkeys: PasskeysService,
    private readonly sessions: SessionsService,
  ) {}

  @Post('totp')
  @ZodResponse(201, dto.TotpEnrolment, 'A pending authenticator: scan the QR code, then confirm with a code')
  async totpBegin(@CurrentPrincipal() p: Principal) {
    return this.totp.begin(await this.account.self(p));
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ZodResponse(200, dto.RecoveryCodes, 'TOTP is active; the recovery codes are shown this once')
  async totpConfirm(
    @ZodBody(dto.TotpConfirmRequest) b: z.infer<typeof dto.TotpConfirmRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return { recoveryCodes: await this.totp.confirm(await this.account.self(p), b.code, p.actor, r) };
  }

  @Delete('totp')
  @HttpCode(204)
  // A fresh second factor (TOTP or a passkey) in this session, not just the password.
  @RequireAnyAmr('otp', 'hwk')
  async totpRemove(@CurrentPrincipal() p: Principal, @RequestId() r: string) {
    await this.totp.remove(await this.account.self(p), p.actor, r);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  // A fresh second factor (TOTP or a passkey) in this session, not just the password.
  @RequireAnyAmr('otp', 'hwk')
  @ZodResponse(200, dto.RecoveryCodes, 'A new set; the old codes stop working')
  async recoveryCodes(@CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return { recoveryCodes: await this.totp.regenerateRecoveryCodes(await this.account.self(p), p.actor, r) };
  }

  @Get('passkeys')
  @ZodResponse(200, dto.PasskeyList)
  async passkeyList(@CurrentPrincipal() p: Principal) {
    return { passkeys: await this.passkeys.list((await this.account.self(p)).id) };
  }

  @Post('passkeys/options')
  @HttpCode(200)
  @ZodResponse(200, WebAuthnOptions, 'WebAuthn creation options for a new passkey')
  async passkeyOptions(@CurrentPrincipal() p: Principal) {
    return this.passkeys.registrationOptions(await this.account.self(p));
  }

  @Post('passkeys')
  @ZodResponse(201, dto.Passkey)
  async passkeyRegister(
    @ZodBody(dto.PasskeyRegisterRequest) b: z.infer<typeof dto.PasskeyRegisterRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() r: string,
  ) {
    return this.passkeys.register(
      await this.account.self(p),
      b.response as unknown as RegistrationResponseJSON,
      b.name,
      { principal: p, requestId: r },
    );
  }

  @Delete('passkeys/:id')
  @HttpCode(204)
  async passkeyRemove(@Param('id') id: string, @CurrentPrincipal() p: Principal, @RequestId() r: string) {
    await this.passkeys.remove(await this.account.self(p), id, { principal: p, requestId: r });
  }

  @Get('sessions')
  @ZodResponse(200, dto.SessionList)
  async mySessions(@CurrentPrincipal() p: Principal, @RequestId() r: string) {
    return { sessions: await this.sessions.list({ principal: p, requestId: r }, p.actor.id) };
  }
}
