import { isoDateTime, named } from '@pakawaaz/platform';
import { z } from 'zod';
import { MLS_LIMITS } from './mls/mls-facts.js';

/** base64url (no padding) of a TLS-encoded MLSMessage; the length bounds the bytes (checked again decoded). */
const mls = (maxBytes: number, what: string) =>
  z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding')
    .describe(`${what}: base64url of the MLSMessage, at most ${maxBytes} bytes`);

/** A client message id: the same id from the same device is stored once. */
const ClientId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{8,128}$/, '8 to 128 of A-Z a-z 0-9 . _ : -')
  .describe('Client message id (idempotency key per device), e.g. a UUID');

export const UploadKeyPackagesRequest = named(
  'UploadKeyPackagesRequest',
  z.strictObject({
    keyPackages: z
      .array(mls(MLS_LIMITS.maxKeyPackageBytes, 'KeyPackage'))
      .min(1)
      .max(MLS_LIMITS.maxKeyPackagesPerUpload + 1),
  }),
  'input',
);
export const UploadKeyPackagesReply = named(
  'UploadKeyPackagesReply',
  z.object({ stored: z.number().int(), oneTimeLeft: z.number().int() }),
);

export const ClaimKeyPackagesRequest = named(
  'ClaimKeyPackagesRequest',
  z.strictObject({ user: z.string().min(1).max(128).describe('Username or user id of the official') }),
  'input',
);
export const ClaimKeyPackagesReply = named(
  'ClaimKeyPackagesReply',
  z.object({
    userId: z.string(),
    keyPackages: z.array(z.object({ deviceId: z.string(), keyPackage: z.string(), lastResort: z.boolean() })),
  }),
);

export const RegisterGroupRequest = named(
  'RegisterGroupRequest',
  z.strictObject({ groupInfo: mls(MLS_LIMITS.maxGroupInfoBytes, 'GroupInfo of epoch 0') }),
  'input',
);
export const GroupEpochReply = named('GroupEpochReply', z.object({ groupId: z.string(), epoch: z.string() }));
export const LeaveGroupReply = named(
  'LeaveGroupReply',
  z.object({
    groupId: z.string(),
    /** The official's devices that left (their leaves' Removes proposed to the other members). */
    devices: z.array(z.string()),
    /** Nobody else was left: the group keeps no member and nothing more is delivered in it. */
    closed: z.boolean(),
  }),
);
export const GroupInfoReply = named('GroupInfoReply', z.object({ epoch: z.string(), groupInfo: z.string() }));

export const CommitRequest = named(
  'CommitRequest',
  z.strictObject({
    commit: mls(MLS_LIMITS.maxMessageBytes, 'Commit (public or private message)'),
    groupInfo: mls(MLS_LIMITS.maxGroupInfoBytes, "GroupInfo of the commit's next epoch, with ratchet_tree"),
    welcome: mls(MLS_LIMITS.maxWelcomeBytes, 'Welcome of the added devices').optional(),
    clientId: ClientId,
  }),
  'input',
);

export const SendMessageRequest = named(
  'SendMessageRequest',
  z.strictObject({
    message: mls(MLS_LIMITS.maxMessageBytes, 'Application message or proposal'),
    clientId: ClientId,
  }),
  'input',
);
export const SendMessageReply = named(
  'SendMessageReply',
  z.object({ groupId: z.string(), epoch: z.string(), recipients: z.number().int() }),
);

export const GroupIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,344}$/, 'a base64url MLS group id');

export const InboxQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .default(0)
    .describe('Return envelopes with seq greater than this'),
  limit: z.coerce.number().int().min(1).max(200).default(200),
});
export const Envelope = named(
  'ChatEnvelope',
  z.object({
    seq: z.number().int(),
    groupId: z.string(),
    senderDevice: z.string().nullable(),
    kind: z.enum(['commit', 'welcome', 'application', 'proposal']),
    body: z.string().describe('base64url of the MLSMessage'),
    at: isoDateTime(),
  }),
);
export const InboxReply = named(
  'ChatInbox',
  z.object({
    envelopes: z
      .array(Envelope)
      .describe('At most `limit` envelopes and 1 MiB of them as JSON, but at least one when any is queued'),
    more: z
      .boolean()
      .describe('The queue holds more after the last envelope: read again with `after` its seq'),
  }),
);
export const AckRequest = named(
  'ChatAckRequest',
  z.strictObject({
    upTo: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .describe('Delete the queue up to this seq, inclusive'),
  }),
  'input',
);
export const AckReply = named('ChatAckReply', z.object({ removed: z.number().int() }));
export const ExternalSenderReply = named(
  'ChatExternalSender',
  z.object({
    signatureKey: z
      .string()
      .describe("base64url of the P-256 public key (uncompressed point), MLS's signature_key"),
    cipherSuite: z.string(),
  }),
);
