import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import {
  AcceptsDpopSessionToken,
  AcceptsUnboundSessionToken,
  CurrentPrincipal,
  Public,
  RequestId,
  RouteScope,
  ZodBody,
  ZodResponse,
  type Principal,
  ErrorCodes,
  PLATFORM_ERROR_STATUS,
} from '@pakawaaz/platform';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { DeviceAuthService } from '../device-auth/device-auth.service.js';
import { PasskeysService } from '../mfa/passkeys.service.js';
import type { ClientMeta } from '../sessions/sessions.service.js';
import { SimAuthService } from '../sim-auth/sim-auth.service.js';
import { DpopTokenService } from '../tokens/dpop-token.service.js';
import * as dto from './auth.dto.js';
import { AccountService } from './account.service.js';
import { Client } from './client-meta.js';
import { LoginService } from './login.service.js';
import { IDENTITY_ERROR_STATUS } from '../identity.errors.js';

const b64 = (s: string) => Buffer.from(s, 'base64');

/** What a proof of a desktop's key is refused with, at the bind and at a bound session's refresh. */
const DESKTOP_PROOF_ERRORS = [
  'dpop_proof_invalid',
  'dpop_binding_failed',
  'forbidden',
  'device_certificate_refused',
  'device_management_unavailable',
] as const;

/** Sign-in, step by step (password, then second factors), token refresh and logout. */
@ApiTags('auth')
// The routes that need a token (logout, me, password) act on the caller's own account.
@RouteScope('self')
@ErrorCodes(
  IDENTITY_ERROR_STATUS,
  'invalid_credentials',
  'rate_limited',
  'login_ticket_invalid',
  'factor_not_available',
  'password_change_required',
  'weak_password',
  'totp_invalid',
  'passkey_invalid',
  'sim_conversation_invalid',
  'refresh_token_invalid',
)
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly account: AccountService,
    private readonly sim: SimAuthService,
    private readonly device: DeviceAuthService,
    private readonly passkeys: PasskeysService,
    private readonly dpopTokens: DpopTokenService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ZodResponse(
    200,
    dto.LoginStep,
    'Signed in, or the next step (mfa_required / password_change_required) with a login ticket',
  )
  @ZodResponse(401, dto.ErrorReply, 'Wrong username or password (code invalid_credentials)')
  @ZodResponse(429, dto.ErrorReply, 'Too many attempts (code rate_limited, Retry-After)')
  password(@ZodBody(dto.LoginRequest) b: z.infer<typeof dto.LoginRequest>, @Client() c: ClientMeta) {
    return this.login.password(b.username, b.password, b.acr ?? 'aal1', c);
  }

  @Post('login/start')
  @Public()
  @HttpCode(200)
  @ZodResponse(
    200,
    dto.LoginStep,
    'Possession first: a login ticket for the SIM or the device to prove themselves before the password (also when the password step is closed after the guess limit)',
  )
  @ZodResponse(429, dto.ErrorReply, 'Too many attempts (code rate_limited, Retry-After)')
  start(@ZodBody(dto.LoginStartRequest) b: z.infer<typeof dto.LoginStartRequest>, @Client() c: ClientMeta) {
    return this.login.start(b.username, b.acr ?? 'aal1', c);
  }

  @Post('login/password-factor')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.LoginStep, 'The password, after the SIM or the device proved itself first')
  @ZodResponse(401, dto.ErrorReply, 'Wrong password (code invalid_credentials)')
  passwordFactor(
    @ZodBody(dto.PasswordFactorRequest) b: z.infer<typeof dto.PasswordFactorRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.login.passwordFactor(b.ticket, b.password, c);
  }

  @Post('login/totp-enrolment')
  @Public()
  @HttpCode(200)
  @ZodResponse(
    200,
    dto.LoginStep,
    'Confirms the authenticator enrolled during sign-in (after an administrator removed the factors); signed in, with the recovery codes shown once',
  )
  @ZodResponse(422, dto.ErrorReply, 'The code does not match (code totp_invalid): check the phone clock')
  totpEnrolment(
    @ZodBody(dto.TotpEnrolmentStepRequest) b: z.infer<typeof dto.TotpEnrolmentStepRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.account.enrolTotpAtSignIn(b.ticket, b.code, c);
  }

  @Post('login/totp')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.LoginStep)
  totp(@ZodBody(dto.TotpStepRequest) b: z.infer<typeof dto.TotpStepRequest>, @Client() c: ClientMeta) {
    return this.login.totpCode(b.ticket, b.code, c);
  }

  @Post('login/recovery-code')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.LoginStep)
  recovery(
    @ZodBody(dto.RecoveryStepRequest) b: z.infer<typeof dto.RecoveryStepRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.login.recoveryCode(b.ticket, b.code, c);
  }

  @Post('login/password')
  @Public()
  @HttpCode(200)
  @ZodResponse(
    200,
    dto.LoginStep,
    'The forced password change after an administrator reset, then the next step',
  )
  passwordChange(
    @ZodBody(dto.PasswordChangeStepRequest) b: z.infer<typeof dto.PasswordChangeStepRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.account.forcedChange(b.ticket, b.newPassword, c);
  }

  @Post('login/passkey/options')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.WebAuthnOptions, 'WebAuthn request options for a discoverable passkey')
  @ZodResponse(429, dto.ErrorReply, 'Too many requests from this address (code rate_limited, Retry-After)')
  passkeyOptions(@Client() c: ClientMeta) {
    return this.passkeys.authenticationOptions(c);
  }

  @Post('login/passkey')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.LoginStep)
  passkey(
    @ZodBody(dto.PasskeyLoginRequest) b: z.infer<typeof dto.PasskeyLoginRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.passkeys.authenticate(b.response as unknown as AuthenticationResponseJSON, c);
  }

  @Post('sim/start')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.SimStep, 'The first EAP-AKA request (base64) of the SIM factor')
  // After the password: the official's institution is in a rollout phase without SIM sign-in.
  @ErrorCodes(PLATFORM_ERROR_STATUS, 'capability_not_enabled')
  simStart(@ZodBody(dto.SimStartRequest) b: z.infer<typeof dto.SimStartRequest>, @Client() c: ClientMeta) {
    return this.sim.start(b, c);
  }

  @Post('sim/continue')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.SimStep, 'The next EAP-AKA request, or EAP-Success with the next login step')
  simContinue(
    @ZodBody(dto.SimContinueRequest) b: z.infer<typeof dto.SimContinueRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.sim.continue({ conversation: b.conversation, eap: b64(b.eap) }, c);
  }

  @Post('device/challenge')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.DeviceChallenge)
  deviceChallenge(
    @ZodBody(dto.DeviceChallengeRequest) b: z.infer<typeof dto.DeviceChallengeRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.device.challenge(b.ticket, c);
  }

  @Post('login/device')
  @Public()
  @HttpCode(200)
  @ZodResponse(200, dto.LoginStep)
  deviceProof(
    @ZodBody(dto.DeviceProofRequest) b: z.infer<typeof dto.DeviceProofRequest>,
    @Client() c: ClientMeta,
  ) {
    return this.device.prove(
      { ...b, certificateChain: b.certificateChain.map(b64), signature: b64(b.signature) },
      c,
    );
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiHeader({
    name: 'DPoP',
    required: false,
    description:
      'RFC 9449 proof (POST, this URL, no ath, x5c: the desktop device certificate) of the device key the session is bound to: required once the session was bound (POST /api/v1/auth/token/dpop)',
  })
  @ZodResponse(
    200,
    dto.LoginStep,
    'New access and refresh tokens (the old refresh token is spent); tokenType DPoP for a session bound to a device key',
  )
  @ZodResponse(
    401,
    dto.ErrorReply,
    'Refresh token invalid (refresh_token_invalid); the session is bound to a device key and the DPoP proof is missing or refused (dpop_proof_invalid) or of another key (dpop_binding_failed), or its desktop is no longer enrolled (device_certificate_refused)',
  )
  @ErrorCodes(PLATFORM_ERROR_STATUS, ...DESKTOP_PROOF_ERRORS)
  refresh(
    @ZodBody(dto.RefreshRequest) b: z.infer<typeof dto.RefreshRequest>,
    @RequestId() requestId: string,
    @Req() req: FastifyRequest,
  ) {
    return this.account.refresh(b.refreshToken, requestId, req.headers.dpop);
  }

  @Post('token/dpop')
  @AcceptsUnboundSessionToken()
  @HttpCode(200)
  @ApiBearerAuth('bearer')
  @ApiHeader({
    name: 'DPoP',
    required: true,
    description:
      'RFC 9449 proof (POST, this URL, ath, x5c: the desktop device certificate) of the key to bind',
  })
  @ZodResponse(200, dto.DpopToken, 'The session’s access token re-issued bound to the DPoP key (cnf.jkt)')
  @ErrorCodes(PLATFORM_ERROR_STATUS, ...DESKTOP_PROOF_ERRORS)
  dpopToken(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const auth = req.headers.authorization ?? '';
    return this.dpopTokens.bind(principal, {
      token: auth.startsWith('Bearer ') ? auth.slice(7) : '',
      proof: req.headers.dpop,
    });
  }

  @Post('logout')
  @AcceptsUnboundSessionToken()
  @AcceptsDpopSessionToken()
  @HttpCode(204)
  @ApiBearerAuth('bearer')
  @ApiHeader({
    name: 'DPoP',
    required: false,
    description:
      'With `Authorization: DPoP <token>` (a session bound to a desktop key): RFC 9449 proof (POST, this URL, ath) of that key',
  })
  @ErrorCodes(PLATFORM_ERROR_STATUS, 'dpop_proof_invalid')
  logout(@CurrentPrincipal() principal: Principal, @RequestId() requestId: string) {
    return this.account.logout({ principal, requestId });
  }

  @Get('me')
  @ApiBearerAuth('bearer')
  @ZodResponse(200, dto.Profile)
  me(@CurrentPrincipal() principal: Principal) {
    return this.account.profile(principal);
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth('bearer')
  changePassword(
    @ZodBody(dto.ChangePasswordRequest) b: z.infer<typeof dto.ChangePasswordRequest>,
    @CurrentPrincipal() principal: Principal,
    @RequestId() requestId: string,
  ) {
    return this.account.changePassword(b.currentPassword, b.newPassword, { principal, requestId });
  }
}
