import type { BlobRange } from './blob-store.js';

/** tus 1.0's media type of a PATCH body: raw bytes meant for the offset the request names. */
export const UPLOAD_MEDIA_TYPE = 'application/offset+octet-stream';

export const DEFAULT_RETENTION_DAYS = 7;
/**
 * The least a file counts against the quotas, whatever its size: each one costs a database row and a file on
 * disk (a filesystem block, an inode), so a thousand one-byte files are charged 4 MiB, not 1000 bytes.
 */
export const MIN_CHARGE_BYTES = 4096;

/** What a file of `sizeBytes` counts against its institution's quota and its uploader's share. */
export const chargedBytes = (sizeBytes: number): number => Math.max(sizeBytes, MIN_CHARGE_BYTES);

/**
 * What a file's reservation charged, so what its deletion releases: the charge recorded on its row (a file
 * from before the 4 KiB minimum: its size). None recorded — a row a node of an earlier release inserted during
 * a rolling upgrade — its size: that node may run code from before the minimum (charged the size) or from
 * after (charged chargedBytes(size)), and the size is the one answer that never releases more than was taken
 * (releasing 4 KiB for a 1-byte file charged 1 byte would let 1-byte uploads drive the usage to nothing). A
 * file such a node charged 4 KiB is counted at its size by the sweep's reconciliation, the first run after
 * its reservation: under-counted by up to 4095 bytes while it lives. Should a node of the earlier release
 * then delete it, it releases 4 KiB, leaving the usage up to 4095 bytes low per file until the next sweep.
 * Only during a rolling upgrade: every row a node of this release inserts records its charge.
 */
export const fileCharge = (row: { sizeBytes: number; chargedBytes: number | null }): number =>
  row.chargedBytes ?? row.sizeBytes;
export const MAX_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;

/** A capability token: 256 random bits, base64url (43 characters). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Upload-Offset (tus 1.0): a non-negative integer in decimal, nothing else. Null when absent or malformed. */
export function parseUploadOffset(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return null;
  const n = Number(header.trim());
  return Number.isSafeInteger(n) ? n : null;
}

/** Content-Length as declared: null when absent (chunked), NaN when malformed. */
export function parseContentLength(header: string | undefined): number | null {
  if (header === undefined) return null;
  return /^\d{1,16}$/.test(header.trim()) ? Number(header.trim()) : Number.NaN;
}

export type RangeVerdict =
  { kind: 'whole' } | { kind: 'partial'; range: BlobRange } | { kind: 'unsatisfiable' };

/**
 * RFC 9110 §14.1.2 for one byte range of a file of `size` bytes: `bytes=a-b`, `bytes=a-` and the suffix
 * `bytes=-n`. Several ranges (multipart/byteranges) are answered with the whole file, as §14.2 allows; a
 * header that is not a bytes range is ignored likewise. A range starting past the end is unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): RangeVerdict {
  if (header === undefined) return { kind: 'whole' };
  const m = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end } };
}

/** When a completed file (and its link) expires. */
export const fileExpiry = (completedAt: Date, retentionDays: number): Date =>
  new Date(completedAt.getTime() + retentionDays * DAY_MS);

/** What a chunk may write: up to the chunk cap and never past the declared size. */
export function chunkRoom(o: {
  offset: number;
  size: number;
  chunkMaxBytes: number;
  declared: number | null;
}): { ok: true; maxBytes: number } | { ok: false; why: 'chunk_too_large' | 'beyond_size' } {
  const left = o.size - o.offset;
  if (o.declared !== null && o.declared > o.chunkMaxBytes) return { ok: false, why: 'chunk_too_large' };
  if (o.declared !== null && o.declared > left) return { ok: false, why: 'beyond_size' };
  return { ok: true, maxBytes: Math.min(o.chunkMaxBytes, left) };
}
