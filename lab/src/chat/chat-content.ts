import { b64u, fromB64u } from './bytes.js';

/**
 * What travels inside an MLS application message: a small typed JSON. Receipts and typing indicators are
 * application messages like text, so the delivery service cannot tell them apart (docs/secure-chat.md).
 */
export type ChatFileRef = {
  /** Capability URL of the client-encrypted blob. */
  url: string;
  /** base64url AES-256-GCM key of the blob (32 bytes). */
  key: string;
  /** base64url SHA-256 of the encrypted blob. */
  hash: string;
  name: string;
  size: number;
};

export type ChatBody =
  | { type: 'text'; text: string; replyTo?: string }
  | { type: 'receipt'; status: 'delivered' | 'read'; ids: string[] }
  | { type: 'typing'; active: boolean }
  | { type: 'file'; file: ChatFileRef; caption?: string };

/** A body with the sender's message id (its idempotency key at the server too) and clock. */
export type ChatContent = ChatBody & { id: string; sentAt: number };

/** The largest plaintext a client sends or accepts: well under the server's 256 KiB message limit. */
export const MAX_CONTENT_BYTES = 64 * 1024;
const MAX_TEXT = 16_000;
const MAX_RECEIPT_IDS = 500;
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const B64U = /^[A-Za-z0-9_-]+$/;

export class ChatContentError extends Error {
  constructor(
    readonly code: 'chat_content_too_large' | 'chat_content_malformed',
    message: string,
  ) {
    super(message);
  }
}

export const newMessageId = (): string => b64u(crypto.getRandomValues(new Uint8Array(16)));

export function encodeContent(body: ChatBody, id = newMessageId(), sentAt = Date.now()): Uint8Array {
  const content: ChatContent = { ...body, id, sentAt };
  check(content);
  const bytes = new TextEncoder().encode(JSON.stringify(content));
  if (bytes.length > MAX_CONTENT_BYTES)
    throw new ChatContentError('chat_content_too_large', `a message is at most ${MAX_CONTENT_BYTES} bytes`);
  return bytes;
}

/** Parses and checks a decrypted application message; anything unexpected is refused, never half-read. */
export function decodeContent(bytes: Uint8Array): ChatContent {
  if (bytes.length > MAX_CONTENT_BYTES)
    throw new ChatContentError('chat_content_too_large', `a message is at most ${MAX_CONTENT_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new ChatContentError('chat_content_malformed', 'the message is not UTF-8 JSON');
  }
  check(value);
  return value;
}

const isStr = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;

function check(v: unknown): asserts v is ChatContent {
  const bad = (what: string): never => {
    throw new ChatContentError('chat_content_malformed', what);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('the message is not an object');
  const c = v as Record<string, unknown>;
  if (!isStr(c.id, 64) || !ID.test(c.id)) bad('id must be 8–64 base64url characters');
  if (typeof c.sentAt !== 'number' || !Number.isSafeInteger(c.sentAt) || c.sentAt < 0)
    bad('sentAt must be ms');
  switch (c.type) {
    case 'text':
      if (!isStr(c.text, MAX_TEXT)) bad(`text must be a string of at most ${MAX_TEXT} characters`);
      if (c.replyTo !== undefined && (!isStr(c.replyTo, 64) || !ID.test(c.replyTo)))
        bad('replyTo is a message id');
      return;
    case 'receipt':
      if (c.status !== 'delivered' && c.status !== 'read') bad('status is delivered or read');
      if (!Array.isArray(c.ids) || c.ids.length === 0 || c.ids.length > MAX_RECEIPT_IDS)
        bad(`ids lists 1–${MAX_RECEIPT_IDS} message ids`);
      for (const id of c.ids as unknown[]) if (!isStr(id, 64) || !ID.test(id)) bad('ids are message ids');
      return;
    case 'typing':
      if (typeof c.active !== 'boolean') bad('active is a boolean');
      return;
    case 'file': {
      const f = c.file as Record<string, unknown> | undefined;
      if (typeof f !== 'object' || f === null) bad('file is an object');
      const ff = f as Record<string, unknown>;
      if (!isStr(ff.url, 2048) || !/^https?:\/\//.test(ff.url)) bad('file.url is an http(s) URL');
      if (!isStr(ff.key, 64) || !B64U.test(ff.key) || fromB64u(ff.key).length !== 32)
        bad('file.key is 32 bytes, base64url');
      if (!isStr(ff.hash, 64) || !B64U.test(ff.hash) || fromB64u(ff.hash).length !== 32)
        bad('file.hash is a SHA-256, base64url');
      if (!isStr(ff.name, 255) || ff.name.length === 0) bad('file.name is 1–255 characters');
      if (typeof ff.size !== 'number' || !Number.isSafeInteger(ff.size) || ff.size < 0)
        bad('file.size is bytes');
      if (c.caption !== undefined && !isStr(c.caption, MAX_TEXT)) bad('caption is a string');
      return;
    }
    default:
      bad('type is text, receipt, typing or file');
  }
}
