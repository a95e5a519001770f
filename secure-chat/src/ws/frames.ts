import { z } from 'zod';
import { MLS_LIMITS } from '../mls/mls-facts.js';

const b64u = (max: number) =>
  z
    .string()
    .max(Math.ceil((max * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/);
const clientId = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/);
const groupId = z.string().regex(/^[A-Za-z0-9_-]{1,344}$/);
/** The client's id of a request frame, echoed in its reply. */
const id = z.union([z.string().max(64), z.number().int()]);

/** Frames a device sends on /api/v1/chat/ws (JSON text). */
export const ClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ack'), upTo: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
  z.strictObject({
    type: z.literal('send'),
    id,
    groupId,
    message: b64u(MLS_LIMITS.maxMessageBytes),
    clientId,
  }),
  z.strictObject({
    type: z.literal('commit'),
    id,
    groupId,
    commit: b64u(MLS_LIMITS.maxMessageBytes),
    groupInfo: b64u(MLS_LIMITS.maxGroupInfoBytes),
    welcome: b64u(MLS_LIMITS.maxWelcomeBytes).optional(),
    clientId,
  }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** Frames the server sends (documented in docs/secure-chat.md). */
export type ServerFrame =
  | {
      type: 'deliver';
      envelopes: {
        seq: number;
        groupId: string;
        senderDevice: string | null;
        kind: string;
        body: string;
        at: string;
      }[];
    }
  | { type: 'key_packages_low'; left: number }
  | { type: 'acked'; upTo: number; removed: number }
  | { type: 'result'; id: string | number; result: unknown }
  | { type: 'error'; id?: string | number; code: string; message: string; details?: unknown };
