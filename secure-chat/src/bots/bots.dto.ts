import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';

export const BotIdParam = z.string().uuid('a bot id (UUID)');

export const RegisterBotRequest = named(
  'RegisterBotRequest',
  z.strictObject({
    name: z.string().trim().min(1).max(80).describe('Shown to officials, e.g. "e-Office"'),
    institutionId: z
      .string()
      .uuid()
      .optional()
      .describe("The bot's institution (an institution's administrator: their own, the default)"),
    webhookUrl: z.string().max(2048).describe('https URL the server POSTs the bot’s queue to (signed)'),
  }),
  'input',
);

export const BotView = named(
  'ChatBot',
  z.object({
    id: z.string(),
    name: z.string(),
    institutionId: z.string(),
    webhookUrl: z
      .string()
      .describe('The webhook; to a role below chat-admin without its query string (`?[redacted]`)'),
    state: z.enum(['pending', 'active', 'disabled']),
    user: z.string().describe('What an official claims its KeyPackages with: bot:<id>'),
    failures: z.number().int().describe('Webhook deliveries failed in a row'),
    lastDeliveryAt: isoDateTime().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: isoDateTime()
      .nullable()
      .describe(
        'When a failed webhook delivery is retried (exponential back-off); null when not backing off',
      ),
    enrolledAt: isoDateTime().nullable(),
    createdAt: isoDateTime(),
  }),
);

export const RegisteredBot = named(
  'RegisteredChatBot',
  BotView.extend({
    webhookSecret: z.string().describe('whsec_…: verifies the webhooks (shown once)'),
    enrolmentSecret: z.string().describe('One-time secret the bot enrols its key with (shown once)'),
  }),
);

export const RotateBotSecretRequest = named(
  'RotateChatBotSecretRequest',
  z.strictObject({
    overlapHours: z
      .number()
      .int()
      .min(0)
      .max(168)
      .optional()
      .describe(
        'How long deliveries carry the old secret’s signature too (default PAKAWAAZ_CHAT_BOT_WEBHOOK_SECRET_OVERLAP_HOURS); ' +
          '0 drops every old secret now (a leaked secret). Above 0 while an earlier overlap runs: 409 webhook_secret_overlap_running',
      ),
  }),
  'input',
);

export const RotatedBotSecret = named(
  'RotatedChatBotSecret',
  BotView.extend({
    webhookSecret: z.string().describe('The new whsec_… (shown once)'),
    previousSecretUntil: isoDateTime()
      .nullable()
      .describe('Until when deliveries carry the old secret’s signature too; null: no overlap'),
  }),
);

export const BotList = named('ChatBotList', z.object({ bots: z.array(BotView) }));

export const BotEnrolmentRequest = named(
  'BotEnrolmentRequest',
  z.strictObject({
    botId: z.string().uuid(),
    enrolmentSecret: z.string().min(16).max(128),
    csr: z
      .string()
      .max(5462)
      .regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding')
      .describe('PKCS#10 request for the bot’s P-256 key (DER, base64url)'),
  }),
  'input',
);

export const BotEnrolled = named(
  'BotEnrolled',
  z.object({
    botId: z.string(),
    user: z.string(),
    certificate: z.string().describe('PEM: the MLS credential and the mTLS client certificate'),
    notAfter: isoDateTime(),
    caCertificates: z.array(z.string()).describe('PEM: the device CA (it also issues the device port’s TLS)'),
  }),
);

export const BotDirectory = named(
  'ChatBotDirectory',
  z.object({ bots: z.array(z.object({ id: z.string(), name: z.string(), user: z.string() })) }),
);
