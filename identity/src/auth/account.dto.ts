import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

export const TotpEnrolment = named(
  'TotpEnrolment',
  z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }),
);
export const TotpConfirmRequest = named(
  'TotpConfirmRequest',
  z.object({ code: z.string().min(1).max(16) }).strict(),
  'input',
);
export const RecoveryCodes = named('RecoveryCodes', z.object({ recoveryCodes: z.array(z.string()) }));
export const Passkey = named(
  'Passkey',
  z.object({
    id: z.string(),
    name: z.string(),
    deviceType: z.string(),
    backedUp: z.boolean(),
    createdAt: isoDateTime(),
    lastUsedAt: isoDateTime().nullable(),
  }),
);
export const PasskeyList = named('PasskeyList', z.object({ passkeys: z.array(Passkey) }));
export const PasskeyRegisterRequest = named(
  'PasskeyRegisterRequest',
  z
    .object({
      name: z.string().min(1).max(64).default('Passkey'),
      response: z.looseObject({
        id: z.string().max(1400),
        response: z.looseObject({ clientDataJSON: z.string().max(4096) }),
      }),
    })
    .strict(),
  'input',
);
export const Session = named(
  'Session',
  z.object({
    id: z.string(),
    userId: z.string(),
    username: z.string(),
    amr: z.array(z.string()),
    acr: z.string(),
    certThumbprint: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: isoDateTime(),
    lastSeenAt: isoDateTime(),
    idleTimeoutSeconds: z.number().int(),
    expiresAt: isoDateTime(),
    current: z.boolean(),
  }),
);
export const SessionList = named('SessionList', z.object({ sessions: z.array(Session) }));
