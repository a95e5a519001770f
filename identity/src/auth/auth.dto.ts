import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

const Ticket = z.string().min(20).max(4096);
const Base64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');
const Acr = z.enum(['aal1', 'aal2', 'aal3']);
const Factor = z.enum(['password', 'totp', 'recovery-code', 'sim', 'device']);
const Amr = z.array(z.string());

export const ErrorReply = named(
  'ErrorReply',
  z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
);

export const LoginRequest = named(
  'LoginRequest',
  z
    .object({
      username: z.string().min(1).max(128),
      password: z.string().min(1).max(256),
      /** The least assurance the client wants (default aal1); the account's own floor applies on top. */
      acr: Acr.optional(),
    })
    .strict(),
  'input',
);
export const LoginStartRequest = named(
  'LoginStartRequest',
  z
    .object({
      username: z.string().min(1).max(128),
      /** The least assurance the client wants (default aal1); the account's own floor applies on top. */
      acr: Acr.optional(),
    })
    .strict(),
  'input',
);
export const PasswordFactorRequest = named(
  'PasswordFactorRequest',
  z.object({ ticket: Ticket, password: z.string().min(1).max(256) }).strict(),
  'input',
);
export const TotpEnrolmentStepRequest = named(
  'TotpEnrolmentStepRequest',
  z.object({ ticket: Ticket, code: z.string().min(1).max(16) }).strict(),
  'input',
);
export const TotpStepRequest = named(
  'TotpStepRequest',
  z.object({ ticket: Ticket, code: z.string().min(1).max(16) }).strict(),
  'input',
);
export const RecoveryStepRequest = named(
  'RecoveryStepRequest',
  z.object({ ticket: Ticket, code: z.string().min(1).max(64) }).strict(),
  'input',
);
export const PasswordChangeStepRequest = named(
  'PasswordChangeStepRequest',
  z.object({ ticket: Ticket, newPassword: z.string().min(1).max(256) }).strict(),
  'input',
);
export const RefreshRequest = named(
  'RefreshRequest',
  z.object({ refreshToken: z.string().min(1).max(200) }).strict(),
  'input',
);
export const DpopToken = named(
  'DpopToken',
  z.object({
    accessToken: z.string(),
    tokenType: z.literal('DPoP'),
    expiresIn: z.number().int(),
  }),
);
export const ChangePasswordRequest = named(
  'ChangePasswordRequest',
  z.object({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) }).strict(),
  'input',
);
export const SimStartRequest = named(
  'SimStartRequest',
  z
    .object({
      ticket: Ticket,
      method: z.enum(['aka', 'aka-prime']).default('aka'),
      /** The peer's NAI (e.g. 0<IMSI>@…), if the handset already knows it; otherwise the server asks. */
      identity: z.string().min(1).max(253).optional(),
    })
    .strict(),
  'input',
);
export const SimContinueRequest = named(
  'SimContinueRequest',
  z.object({ conversation: z.string().min(10).max(64), eap: Base64(2100).min(4) }).strict(),
  'input',
);
export const DeviceChallengeRequest = named(
  'DeviceChallengeRequest',
  z.object({ ticket: Ticket }).strict(),
  'input',
);
export const DeviceChallenge = named(
  'DeviceChallenge',
  z.object({ challenge: z.string(), expiresIn: z.number().int() }),
);
export const DeviceProofRequest = named(
  'DeviceProofRequest',
  z
    .object({
      ticket: Ticket,
      challenge: z.string().min(10).max(2048),
      /** DER certificates, base64: the device certificate first, then any intermediates. */
      certificateChain: z.array(Base64(11_000).min(10)).min(1).max(4),
      /** Signature of the challenge text with the device key (SHA256withECDSA or SHA256withRSA), base64. */
      signature: Base64(1400).min(8),
    })
    .strict(),
  'input',
);
export const PasskeyLoginRequest = named(
  'PasskeyLoginRequest',
  z
    .object({
      response: z.looseObject({
        id: z.string().max(1400),
        response: z.looseObject({ clientDataJSON: z.string().max(4096) }),
      }),
    })
    .strict(),
  'input',
);

const Authenticated = z.object({
  status: z.literal('authenticated'),
  userId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z
    .enum(['Bearer', 'DPoP'])
    .describe('DPoP: the session is bound to a desktop device key, and so is this access token (RFC 9449)'),
  expiresIn: z.number().int(),
  sessionId: z.string(),
  amr: Amr,
  acr: Acr,
  withheldRoles: z.array(z.string()),
  /** After enrolling a new authenticator during sign-in: the recovery codes, shown this once. */
  recoveryCodes: z.array(z.string()).optional(),
});
const MfaRequired = z.object({
  status: z.literal('mfa_required'),
  ticket: z.string(),
  expiresIn: z.number().int(),
  amr: Amr,
  factors: z.array(Factor),
});
const PasswordChange = z.object({
  status: z.literal('password_change_required'),
  ticket: z.string(),
  expiresIn: z.number().int(),
});
const TotpEnrolmentRequired = z.object({
  status: z.literal('totp_enrolment_required'),
  ticket: z.string(),
  expiresIn: z.number().int(),
  /** The new authenticator, for this user's eyes only: scan it, then confirm with its first code. */
  enrolment: z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }),
});

export const LoginStep = named(
  'LoginStep',
  z.discriminatedUnion('status', [Authenticated, MfaRequired, PasswordChange, TotpEnrolmentRequired]),
);
export const SimStep = named(
  'SimStep',
  z.discriminatedUnion('status', [
    z.object({ status: z.literal('continue'), conversation: z.string(), eap: z.string() }),
    Authenticated.extend({ eap: z.string() }),
    MfaRequired.extend({ eap: z.string() }),
    PasswordChange.extend({ eap: z.string() }),
    TotpEnrolmentRequired.extend({ eap: z.string() }),
  ]),
);

export const Profile = named(
  'Profile',
  z.object({
    id: z.string(),
    username: z.string(),
    kind: z.enum(['official', 'operator', 'api-token']),
    displayName: z.string(),
    designation: z.string().nullable(),
    roles: z.array(z.string()),
    withheldRoles: z.array(z.string()),
    institutionId: z.string().nullable(),
    /** Whose rows the caller sees: everything (`national`) or these institutions (own and below). */
    scope: z.object({
      kind: z.enum(['national', 'institution']),
      institutionIds: z.array(z.string()),
    }),
    amr: z.array(z.string()),
    acr: z.string().nullable(),
    sessionId: z.string().nullable(),
    mustChangePassword: z.boolean(),
    passkeyRequired: z.boolean(),
    /**
     * PAKAWAAZ_REQUIRE_OPERATOR_MFA is on and this operator has no second factor yet: sessions hold no role
     * (they are in withheldRoles) until TOTP or a passkey is enrolled, then come with the next token refresh.
     */
    mfaEnrolmentRequired: z.boolean(),
    /** Whether this node requires operators to have a second factor (PAKAWAAZ_REQUIRE_OPERATOR_MFA). */
    operatorMfaPolicy: z.boolean(),
    factors: z.object({
      totp: z.enum(['none', 'pending', 'active']),
      passkeys: z.number().int(),
      recoveryCodesLeft: z.number().int(),
    }),
    lastLoginAt: isoDateTime().nullable(),
  }),
);
export const WebAuthnOptions = named('WebAuthnOptions', z.looseObject({ challenge: z.string() }));
