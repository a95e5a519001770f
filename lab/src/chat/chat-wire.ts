// Every URL and frame the client SDK uses, in one place (docs/secure-chat.md): align here when the server moves.
import type { Credential } from 'ts-mls';
import { decodeCredential } from 'ts-mls/credential.js';
import type { ChatEnvelope } from './chat-types.js';

const API = '/api/v1/chat';
const seg = (s: string) => encodeURIComponent(s);

export const chatRoutes = {
  /** GET → ExternalSenderReply. */
  externalSender: () => `${API}/external-sender`,
  /** POST { keyPackages: string[] } → { stock: number }. */
  keyPackages: () => `${API}/key-packages`,
  /** POST {} → { keyPackages: { deviceId, keyPackage }[] }: one KeyPackage of each live device of the official. */
  claimKeyPackages: (userId: string) => `${API}/users/${seg(userId)}/key-packages/claim`,
  /** POST { groupId, groupInfo } → 201: registers an epoch-0 group. */
  groups: () => `${API}/groups`,
  /** POST { epoch, commit, groupInfo, welcome? } → 200 | 409 { code: 'mls_stale_epoch', epoch }. */
  commits: (groupId: string) => `${API}/groups/${seg(groupId)}/commits`,
  /** POST { clientMessageId, kind: 'application' | 'proposal', message } → 202 (idempotent by id). */
  messages: (groupId: string) => `${API}/groups/${seg(groupId)}/messages`,
  /** GET ?after=<seq>&limit=<n> → { items: QueueItem[] }. */
  queue: (after: number, limit: number) => `${API}/queue?after=${after}&limit=${limit}`,
  /** POST { upTo } → 204. */
  ack: () => `${API}/queue/ack`,
  /** WebSocket, authenticated by the device certificate of the TLS session. */
  ws: () => `${API}/ws`,
} as const;

/** One queued delivery: the envelope and its per-device sequence number. */
export type QueueItem = ChatEnvelope & { seq: number };

/** Frames on the WebSocket (JSON text frames). */
export type ServerFrame =
  | ({ type: 'deliver' } & QueueItem)
  | { type: 'key-packages-low'; stock: number }
  | { type: 'error'; code: string; message?: string };
export type ClientFrame = { type: 'ack'; upTo: number };

export type ExternalSenderReply = { signatureKey: string; credential: string };

/** The server's error body, `{ code, message, requestId }`. */
export type ChatHttpErrorBody = { code: string; message?: string; epoch?: string | number };

const KINDS = new Set(['welcome', 'commit', 'application', 'proposal']);
const MAX_ITEM_CHARS = 1_500_000; // a 1 MiB Welcome in base64url, and the frame around it

/** Checks one queued delivery from the server; null when it is not one (the caller skips and reports). */
export function parseQueueItem(v: unknown): QueueItem | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) return null;
  if (typeof o.kind !== 'string' || !KINDS.has(o.kind)) return null;
  if (typeof o.message !== 'string' || o.message.length > MAX_ITEM_CHARS) return null;
  if (o.groupId !== undefined && typeof o.groupId !== 'string') return null;
  return {
    seq: o.seq as number,
    kind: o.kind as QueueItem['kind'],
    message: o.message,
    ...(typeof o.groupId === 'string' ? { groupId: o.groupId } : {}),
  };
}

export function parseServerFrame(text: string): ServerFrame | null {
  if (text.length > MAX_ITEM_CHARS + 1024) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.type === 'deliver') {
    const item = parseQueueItem(o);
    return item ? { type: 'deliver', ...item } : null;
  }
  if (o.type === 'key-packages-low' && Number.isSafeInteger(o.stock))
    return { type: 'key-packages-low', stock: o.stock as number };
  if (o.type === 'error' && typeof o.code === 'string')
    return { type: 'error', code: o.code, ...(typeof o.message === 'string' ? { message: o.message } : {}) };
  return null;
}

/** The server's external sender: its P-256 signature key and its MLS Credential (TLS encoding), base64url. */
export function parseExternalSender(v: unknown): { signatureKey: Uint8Array; credential: Credential } {
  const o = v as Partial<ExternalSenderReply> | null;
  if (typeof o?.signatureKey !== 'string' || typeof o.credential !== 'string')
    throw new Error('the external-sender reply lacks signatureKey or credential');
  const signatureKey = new Uint8Array(Buffer.from(o.signatureKey, 'base64url'));
  const bytes = new Uint8Array(Buffer.from(o.credential, 'base64url'));
  const cred = decodeCredential(bytes, 0);
  if (signatureKey.length !== 65 || !cred || cred[1] !== bytes.length)
    throw new Error('the external-sender reply does not decode');
  return { signatureKey, credential: cred[0] };
}
