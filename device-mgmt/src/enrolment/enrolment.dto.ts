import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { ATTESTATION_LIMITS } from '../attestation/index.js';
import { MAX_CSR_BYTES } from '../device-ca/device-ca.js';
import { MAX_TOKEN_HOURS } from './enrolment-tokens.service.js';

const b64 = (maxBytes: number) =>
  z
    .string()
    .min(4)
    .max(Math.ceil(maxBytes / 3) * 4 + 4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64');

export const CreateEnrolmentToken = named(
  'CreateEnrolmentToken',
  z
    .object({
      official: z.string().min(1).max(128).describe('username or user id of an active official'),
      imsi: z
        .string()
        .regex(/^\d{15}$/, 'expected 15 digits')
        .optional()
        .describe('bind the enrolment to this SIM'),
      expiresInHours: z.number().int().min(1).max(MAX_TOKEN_HOURS).optional().describe('default 72'),
    })
    .strict(),
  'input',
);

const TokenState = z.enum(['pending', 'used', 'expired', 'revoked']);

export const EnrolmentToken = named(
  'EnrolmentToken',
  z.object({
    id: z.string(),
    state: TokenState,
    official: z.object({
      id: z.string(),
      username: z.string().nullable(),
      displayName: z.string().nullable(),
    }),
    institutionId: z.string().nullable(),
    institutionName: z.string().nullable(),
    imsi: z.string().nullable(),
    expiresAt: isoDateTime(),
    usedAt: isoDateTime().nullable(),
    deviceId: z.string().nullable(),
    createdAt: isoDateTime(),
  }),
);

export const CreatedEnrolmentToken = named(
  'CreatedEnrolmentToken',
  EnrolmentToken.extend({
    token: z.string().describe('shown once; only its SHA-256 is kept'),
    enrolUrl: z.string().describe('what the QR code carries'),
    qrSvg: z.string().describe('the enrol URL as a QR code (SVG), for the NOC and printing'),
  }),
);

export const EnrolmentTokenList = named('EnrolmentTokenList', z.object({ tokens: z.array(EnrolmentToken) }));
export const EnrolmentTokenQuery = z.object({
  state: TokenState.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ChallengeRequest = named(
  'EnrolmentChallengeRequest',
  z.object({ token: z.string().min(16).max(128) }).strict(),
  'input',
);

export const Challenge = named(
  'AttestationChallenge',
  z.object({
    challengeId: z.string(),
    challenge: z.string().describe('32 random bytes, lower-case hex: the attestation challenge'),
    expiresIn: z.number().int(),
  }),
);

const Chain = z
  .array(b64(ATTESTATION_LIMITS.maxCertificateBytes))
  .min(1)
  .max(ATTESTATION_LIMITS.maxCertificates)
  .describe('Android Key Attestation chain, base64 DER, leaf first');
const Csr = b64(MAX_CSR_BYTES).describe('PKCS#10 request (base64 DER) for the attested key');

export const EnrolmentRequest = named(
  'EnrolmentRequest',
  z
    .object({
      token: z.string().min(16).max(128),
      challengeId: z.string().uuid(),
      attestationChain: Chain,
      csr: Csr,
      reported: z
        .object({
          imei: z
            .string()
            .regex(/^\d{14,16}$/)
            .optional(),
          serial: z.string().max(64).optional(),
          brand: z.string().max(64).optional(),
          model: z.string().max(64).optional(),
        })
        .strict()
        .optional()
        .describe('what the handset says about itself; attested identifiers win'),
    })
    .strict(),
  'input',
);

export const Enrolled = named(
  'Enrolled',
  z.object({
    deviceId: z.string(),
    certificate: z.string().describe('the device certificate, PEM'),
    caCertificates: z.array(z.string()).describe('the device CA certificates, PEM'),
    checkInIntervalSeconds: z.number().int(),
  }),
);

export const ReattestationRequest = named(
  'ReattestationRequest',
  z.object({ challengeId: z.string().uuid(), attestationChain: Chain }).strict(),
  'input',
);

export const Reattested = named('Reattested', z.object({ deviceId: z.string(), attestedAt: isoDateTime() }));

export const RenewalRequest = named(
  'CertificateRenewalRequest',
  z
    .object({
      csr: Csr,
      challengeId: z
        .string()
        .uuid()
        .optional()
        .describe('with attestationChain: renew for a new attested key'),
      attestationChain: Chain.optional(),
    })
    .strict(),
  'input',
);

export const b64Bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

export const DesktopEnrolmentRequest = named(
  'DesktopEnrolmentRequest',
  z
    .object({
      csr: b64(MAX_CSR_BYTES).describe(
        'PKCS#10 request (base64 DER) for the browser’s non-extractable ECDSA P-256 key',
      ),
    })
    .strict(),
  'input',
);

export const DesktopEnrolled = named(
  'DesktopEnrolled',
  z.object({
    deviceId: z.string(),
    certificate: z.string().describe('the desktop device certificate, PEM'),
    caCertificates: z.array(z.string()).describe('the device CA certificates, PEM'),
  }),
);
