import type { QueuedEnvelope } from '../chat-ports.js';
import { QUEUE_KINDS } from './delivery.schema.js';

/**
 * Most bytes of envelopes (as JSON) one queue read returns — a socket's `deliver` frame, a GET inbox answer, a
 * bot's webhook batch — unless its first envelope alone is larger: a read returns at least one, so the queue
 * moves on. The largest envelope, a Welcome of MLS_LIMITS.maxWelcomeBytes (1 MiB), is 1,398,102 base64url
 * characters.
 */
export const INBOX_BYTES = 1024 * 1024;

/** An envelope's keys, quotes, commas and seq (at most 16 digits), a comma after it: more than they take. */
export const ENVELOPE_CHARS = 100;
/** A sender device (a UUID), the longest kind and a date (ISO 8601, UTC, with milliseconds). */
const STORED_FIXED_CHARS = ENVELOPE_CHARS + 36 + Math.max(...QUEUE_KINDS.map((k) => k.length)) + 24;

/**
 * An envelope's bytes as JSON, at least: every field is ASCII without escapes (base64url, a UUID, a kind, an
 * ISO date), so characters are bytes; the fixed part is counted high. No JSON.stringify per envelope.
 */
export function envelopeBytes(e: QueuedEnvelope): number {
  return (
    ENVELOPE_CHARS +
    e.body.length +
    e.groupId.length +
    (e.senderDevice?.length ?? 0) +
    e.kind.length +
    e.at.length
  );
}

/**
 * envelopeBytes of a queued row before it is read, at most: from its body's bytes (base64url: 4 characters
 * for 3 bytes, no padding) and its group id's, the rest at its longest. The queue read cuts its pages by the
 * same count in SQL (STORED_ENVELOPE_BYTES_SQL), so a page of `budget` bytes is one of `budget` bytes here.
 */
export function storedEnvelopeBytes(bodyBytes: number, groupIdChars: number): number {
  return Math.floor((bodyBytes * 4 + 2) / 3) + groupIdChars + STORED_FIXED_CHARS;
}

/** storedEnvelopeBytes in SQL, of the device_queue row `q` (integer division: the same numbers). */
export const STORED_ENVELOPE_BYTES_SQL = `((octet_length(q.body) * 4 + 2) / 3 + octet_length(q.group_id) + ${STORED_FIXED_CHARS})`;
