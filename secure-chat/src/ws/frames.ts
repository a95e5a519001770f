import { z } from 'zod';
import { MLS_LIMITS } from '../mls/mls-facts.js';
import type { QueuedEnvelope } from '../chat-ports.js';

// One pattern each for the schema and the hand check of the hot frames (hotFrame, below).
const B64U_TEXT = /^[A-Za-z0-9_-]+$/;
const CLIENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const GROUP_ID = /^[A-Za-z0-9_-]{1,344}$/;
/** base64url characters of at most `max` bytes. */
const b64uChars = (max: number) => Math.ceil((max * 4) / 3);

const b64u = (max: number) => z.string().max(b64uChars(max)).regex(B64U_TEXT);
const clientId = z.string().regex(CLIENT_ID);
const groupId = z.string().regex(GROUP_ID);
/** The client's id of a request frame, echoed in its reply. */
const id = z.union([z.string().max(64), z.number().int()]);

const callId = z.uuid();
/** Call signalling a device sends (metadata only: media keys come from the group's MLS exporter). */
export const CallClientFrame = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('call-invite'), id, callId, kind: z.enum(['voice', 'video']) }),
  z.strictObject({ type: z.literal('call-accept'), id, callId }),
  z.strictObject({ type: z.literal('call-decline'), id, callId }),
  z.strictObject({ type: z.literal('call-busy'), id, callId }),
  z.strictObject({ type: z.literal('call-cancel'), id, callId }),
  z.strictObject({ type: z.literal('call-hangup'), id, callId }),
]);
export type CallClientFrame = z.infer<typeof CallClientFrame>;
export const CALL_CLIENT_TYPES = CallClientFrame.options.map((o) => o.shape.type.value);

/** Frames a device sends on /api/v1/chat/ws (JSON text). */
export const ClientFrame = z.discriminatedUnion('type', [
  ...CallClientFrame.options,
  // `reply: true` asks for an `acked` frame; without it a successful ack is not answered (a failure still is).
  z.strictObject({
    type: z.literal('ack'),
    upTo: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    reply: z.boolean().optional(),
  }),
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

const TYPES = ['ack', 'send', 'commit', ...CALL_CLIENT_TYPES];

/**
 * Parses a text frame; a bad one gets an error message that says what is wrong (unknown type, which field),
 * and the request id when it has one (so the client can match it). Never throws.
 */
export function parseClientFrame(
  text: string,
): { ok: true; frame: ClientFrame } | { ok: false; id?: string | number; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'Send JSON text frames.' };
  }
  const hot = hotFrame(json);
  if (hot) return { ok: true, frame: hot };
  const parsed = ClientFrame.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const rid = id.safeParse(obj['id']);
  const idOf = rid.success ? { id: rid.data } : {};
  const type = obj['type'];
  if (typeof type !== 'string' || !TYPES.includes(type))
    return {
      ok: false,
      ...idOf,
      message: `Unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}: one of ${TYPES.join(', ')}.`,
    };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || '(frame)';
  return { ok: false, ...idOf, message: `Invalid ${type} frame: ${field}: ${issue.message}.`.slice(0, 300) };
}

const MESSAGE_CHARS = b64uChars(MLS_LIMITS.maxMessageBytes);

/**
 * The two frames of every message, `send` and `ack`, checked by hand (ClientFrame's schema costs more than the
 * rest of their parsing): a frame is returned only if ClientFrame accepts it as it is, with exactly its keys.
 * Anything else — another type, a missing, extra or bad field — is null, and the schema decides (and words
 * the error), so what is accepted and refused, and how, is the schema's.
 */
export function hotFrame(json: unknown): ClientFrame | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  let keys = 0;
  for (const k in o) if (Object.hasOwn(o, k)) keys++;
  if (o['type'] === 'ack') {
    const { upTo, reply } = o;
    if (!Number.isSafeInteger(upTo) || (upTo as number) < 0) return null;
    if (keys === 2) return { type: 'ack', upTo: upTo as number };
    return keys === 3 && typeof reply === 'boolean' ? { type: 'ack', upTo: upTo as number, reply } : null;
  }
  if (o['type'] !== 'send' || keys !== 5) return null;
  const { id, groupId, message, clientId } = o;
  const idOk =
    (typeof id === 'string' && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id));
  if (!idOk || typeof groupId !== 'string' || !GROUP_ID.test(groupId)) return null;
  if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) return null;
  if (typeof message !== 'string' || message.length > MESSAGE_CHARS || !B64U_TEXT.test(message)) return null;
  return { type: 'send', id, groupId, message, clientId };
}

/** Signalling frames the server sends about a call (docs/calls.md "Signalling"). */
export const CALL_SIGNAL_TYPES = [
  'call-ring',
  'call-accepted',
  'call-answered-elsewhere',
  'call-declined',
  'call-busy',
  'call-missed',
  'call-cancelled',
  'call-left',
  'call-ended',
] as const;
export type CallSignalType = (typeof CALL_SIGNAL_TYPES)[number];
export type CallSignalFrame = {
  type: CallSignalType;
  callId: string;
  groupId: string;
  kind: 'voice' | 'video';
  /** The device (and its official) whose act this reports; null: the server's (timeout, end). */
  by: { deviceId: string; userId: string } | null;
  /** call-ring: rings until then. */
  ringUntil?: string;
  /** call-ended: why (e.g. everyone_left, missed, media_host_down). */
  reason?: string;
};

/** Frames the server sends (documented in docs/secure-chat.md). */
export type ServerFrame =
  | CallSignalFrame
  | {
      type: 'deliver';
      envelopes: QueuedEnvelope[];
    }
  | { type: 'key_packages_low'; left: number }
  | { type: 'acked'; upTo: number; removed: number }
  | { type: 'result'; id: string | number; result: unknown }
  | { type: 'error'; id?: string | number; code: string; message: string; details?: unknown };
