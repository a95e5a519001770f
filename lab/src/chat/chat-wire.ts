// Every URL and frame the client SDK uses, in one place (docs/secure-chat.md and secure-chat's chat.dto.ts /
// ws/frames.ts): align here when the server moves.
import { CHAT_CIPHERSUITE } from '@pakawaaz/mls';
import { fromB64u } from './bytes.js';
import type { ChatEnvelope } from './chat-types.js';

const API = '/api/v1/chat';
const seg = (s: string) => encodeURIComponent(s);

export const chatRoutes = {
  /** GET → { signatureKey, cipherSuite }. */
  externalSender: () => `${API}/external-sender`,
  /** POST { keyPackages: string[] } → { stored, oneTimeLeft }. */
  keyPackages: () => `${API}/key-packages`,
  /** POST { user } → { userId, keyPackages: { deviceId, keyPackage, lastResort }[] } (one per live device). */
  claimKeyPackages: () => `${API}/key-packages/claim`,
  /** POST { groupInfo } → 201 { groupId, epoch }: registers an epoch-0 group. */
  groups: () => `${API}/groups`,
  /** POST { commit, groupInfo, welcome?, clientId } → 200 { groupId, epoch } | 409 mls_stale_epoch. */
  commits: (groupId: string) => `${API}/groups/${seg(groupId)}/commits`,
  /** POST → 200 { groupId, devices, closed }: this official leaves the group (idempotent). */
  leave: (groupId: string) => `${API}/groups/${seg(groupId)}/leave`,
  /** POST { message, clientId } → 200 { groupId, epoch, recipients } (idempotent by clientId). */
  messages: (groupId: string) => `${API}/groups/${seg(groupId)}/messages`,
  /** GET ?after=<seq>&limit=<n ≤ 200> → { envelopes: WireEnvelope[] }. */
  inbox: (after: number, limit: number) => `${API}/inbox?after=${after}&limit=${limit}`,
  /** POST { upTo } → { removed }. */
  ack: () => `${API}/inbox/ack`,
  /** WebSocket, authenticated by the device certificate of the TLS session. */
  ws: () => `${API}/ws`,
} as const;

/** One queued delivery: the envelope and its per-device sequence number. */
export type QueueItem = ChatEnvelope & { seq: number; senderDevice: string | null };

/** Frames the server sends on the WebSocket (JSON text), as the client reads them. */
export type ServerFrame =
  | { type: 'deliver'; items: QueueItem[] }
  | { type: 'key_packages_low'; left: number }
  | { type: 'error'; code: string; message?: string };
/**
 * Frames the client sends (it uses HTTP for sends and commits, the socket for acks). `reply: true` would ask
 * for an `acked` frame; the SDK never asks (nothing reads it), so a successful ack is not answered.
 */
export type ClientFrame = { type: 'ack'; upTo: number; reply?: boolean };

/** The server's error body, `{ code, message, requestId }`. */
export type ChatHttpErrorBody = { code: string; message?: string };

const KINDS = new Set(['welcome', 'commit', 'application', 'proposal']);
const MAX_ITEM_CHARS = 1_500_000; // a 1 MiB Welcome in base64url, and the frame around it
const MAX_FRAME_CHARS = 8 * 1024 * 1024;

/** Checks one envelope from the server (`{ seq, groupId, senderDevice, kind, body, at }`); null if it is not. */
export function parseQueueItem(v: unknown): QueueItem | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 0) return null;
  if (typeof o.kind !== 'string' || !KINDS.has(o.kind)) return null;
  if (typeof o.body !== 'string' || o.body.length > MAX_ITEM_CHARS) return null;
  if (typeof o.groupId !== 'string' || o.groupId.length > 344) return null;
  return {
    seq: o.seq as number,
    kind: o.kind as QueueItem['kind'],
    message: o.body,
    groupId: o.groupId,
    senderDevice: typeof o.senderDevice === 'string' ? o.senderDevice : null,
  };
}

/** A text frame as `ws` (Node: Buffer, ArrayBuffer or fragments) or the browser (a string) hands it over. */
export function frameText(data: unknown): string {
  if (typeof data === 'string') return data;
  const parts = (Array.isArray(data) ? data : [data]).map((p) =>
    p instanceof ArrayBuffer ? new Uint8Array(p) : (p as Uint8Array),
  );
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return new TextDecoder().decode(all);
}
/** A server frame, or null when it is not one the client knows (skipped). */
export function parseServerFrame(text: string): ServerFrame | null {
  if (text.length > MAX_FRAME_CHARS) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (o.type === 'deliver' && Array.isArray(o.envelopes)) {
    const items = o.envelopes.map(parseQueueItem);
    return items.every((i) => i !== null) ? { type: 'deliver', items: items } : null;
  }
  if (o.type === 'key_packages_low' && Number.isSafeInteger(o.left))
    return { type: 'key_packages_low', left: o.left as number };
  if (o.type === 'error' && typeof o.code === 'string')
    return { type: 'error', code: o.code, ...(typeof o.message === 'string' ? { message: o.message } : {}) };
  return null;
}

/** The server's external sender: its P-256 signature key (uncompressed point), base64url, for our suite. */
export function parseExternalSender(v: unknown): { signatureKey: Uint8Array } {
  const o = v as { signatureKey?: unknown; cipherSuite?: unknown } | null;
  if (typeof o?.signatureKey !== 'string') throw new Error('the external-sender reply lacks signatureKey');
  if (o.cipherSuite !== undefined && o.cipherSuite !== CHAT_CIPHERSUITE)
    throw new Error(`the server uses another cipher suite than ${CHAT_CIPHERSUITE}`);
  const signatureKey = fromB64u(o.signatureKey);
  if (signatureKey.length !== 65 || signatureKey[0] !== 4)
    throw new Error('the external-sender key is not an uncompressed P-256 point');
  return { signatureKey };
}
