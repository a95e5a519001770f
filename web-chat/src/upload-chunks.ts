// Sends an upload's bytes chunk by chunk and resumes where the server says it stands. A PATCH is ended by the
// server 50 s after it began, or when it sends nothing for a while, with 400 upload_interrupted and
// details.offset (the bytes up to there are kept): on a slow link that is every large chunk, so the page goes
// on from that offset with smaller chunks rather than failing the file. A dropped connection or a 5xx asks
// the server (HEAD) where the upload stands. Giving up is bounded: MAX_STALLS attempts in a row that add no
// byte.

import { isTransient, retryAfterSeconds } from './renewal.ts';

/** What the server answers about an upload (the fields the page reads). */
export type Upload = { id: string; chunkMaxBytes: number; offset: number; download?: { path: string } };

/** How the page calls device routes: dpopFetch (the bound token and a fresh proof per request). */
export type DeviceHttp = (request: Request) => Promise<Response>;

/** Attempts in a row that may end without a new byte stored before the upload gives up. */
export const MAX_STALLS = 5;
/**
 * How long the page waits out `upload_busy` (another PATCH of this upload still holds it: one whose connection
 * dropped and that the server has not ended yet) before giving up: the server ends any PATCH within 50 s, or
 * once it has sent nothing for its idle limit (30 s by default). Such answers are not stalls.
 */
export const BUSY_PATIENCE_MS = 90_000;
/** The wait between attempts while the upload is busy (unless the server says Retry-After). */
export const BUSY_PAUSE_MS = 5_000;
/** The smallest chunk after interruptions (the server takes at least 64 KiB a PATCH). */
export const MIN_CHUNK_BYTES = 64 * 1024;

export const FILES = '/api/v1/chat/device/files';

type Failure = { status: number; code: string; message: string; offset?: number; retryAfterMs?: number };

export class UploadError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Real time's wait (the default `pause`). */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The longest a server's Retry-After is waited (a larger one would hold the page, and the file, that long). */
export const MAX_RETRY_AFTER_MS = 60_000;

/** A reply's Retry-After (seconds or an HTTP date) in ms, at most MAX_RETRY_AFTER_MS; 0 when it gives none. */
export function retryAfterMs(res: Response): number {
  const seconds = retryAfterSeconds(res.headers.get('retry-after')) ?? 0;
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
}

/** The error reply of a refused request: `{code, message, details}` (details.offset on an upload's errors). */
async function failure(res: Response): Promise<Failure> {
  const body = (await res.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    details?: { offset?: unknown };
  };
  const offset = body.details?.offset;
  const retryAfter = retryAfterMs(res);
  return {
    status: res.status,
    code: body.code ?? '',
    message: body.message ?? `HTTP ${res.status}`,
    ...(typeof offset === 'number' ? { offset } : {}),
    ...(retryAfter > 0 ? { retryAfterMs: retryAfter } : {}),
  };
}

export type SendOptions = {
  /** The page's origin (location.origin). */
  origin: string;
  /** Waits between attempts (a test passes one that does not). */
  pause?: (ms: number) => Promise<void>;
  /** The clock the busy patience is measured on (a test passes its own). */
  now?: () => number;
};

/**
 * Sends `sealed` from `first.offset` to its end; the last reply (with the download link), or the upload without
 * one when the server says it is complete but its link was lost with a dropped reply (the caller asks for it).
 */
export async function sendChunks(
  sealed: Uint8Array<ArrayBuffer>,
  first: Upload,
  http: DeviceHttp,
  { origin, pause = sleep, now = Date.now }: SendOptions,
): Promise<Upload> {
  const url = new URL(`${FILES}/${encodeURIComponent(first.id)}`, origin);
  let up = first;
  let chunkBytes = first.chunkMaxBytes;
  let stalls = 0;
  let busySince: number | undefined;
  // Whether `up` is the server's own answer: one at the end without a link is returned as it is. An end known
  // only from an error's offset or HEAD is not: the bytes are all in but may not be checked yet (the process
  // died while hashing), and a PATCH with no bytes at that offset finishes the upload.
  let answered = true;
  while (!up.download && (up.offset < sealed.length || !answered)) {
    const at = up.offset;
    const res = await http(
      new Request(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(at) },
        body: sealed.subarray(at, at + chunkBytes),
      }),
    ).catch(() => null); // the connection dropped: ask where the upload stands
    if (res?.ok) {
      up = (await res.json()) as Upload;
      answered = true;
      stalls = 0;
      busySince = undefined;
      continue;
    }
    answered = false;
    const why = res ? await failure(res) : null;
    // A PATCH whose reply was lost completed it (the retry reached it after the check): the link is asked for.
    if (why?.code === 'upload_already_complete') return { ...up, offset: sealed.length };
    if (why && !resumable(why)) throw new UploadError(why.message, why.code);
    // The chunk took too long: the next ones are smaller, so each fits in the server's time.
    if (why?.code === 'upload_interrupted')
      chunkBytes = Math.max(MIN_CHUNK_BYTES, Math.floor(chunkBytes / 2));
    const offset = why?.offset ?? (await whereItStands(http, url));
    // Busy: an earlier PATCH still holds the upload until the server ends it; waited out, not counted.
    const busy = why?.code === 'upload_busy';
    if (!busy) busySince = undefined;
    else busySince ??= now();
    const progressed = offset !== null && offset > at;
    if (progressed) busySince = undefined;
    if (progressed) stalls = 0;
    else if (busy ? now() - busySince! > BUSY_PATIENCE_MS : ++stalls >= MAX_STALLS)
      throw new UploadError(
        busy
          ? `Another attempt still held the upload after ${BUSY_PATIENCE_MS / 1000} s at byte ${at} of ${sealed.length}: check the connection and send the file again.`
          : `The upload stopped ${MAX_STALLS} times at byte ${at} of ${sealed.length} (${why ? why.message : 'the connection dropped'}): check the connection and send the file again.`,
        'upload_gave_up',
      );
    if (offset !== null) up = { ...up, offset };
    if (offset === null || offset <= at)
      await pause(why?.retryAfterMs ? why.retryAfterMs : busy ? BUSY_PAUSE_MS : 1000 * 2 ** (stalls - 1));
  }
  return up;
}

/**
 * Worth another attempt: an interrupted chunk, an offset other than the server's, another PATCH still
 * streaming (a lost one the server has not ended yet), a rate limit, a timeout, a server error.
 */
function resumable(f: Failure): boolean {
  return (
    ['upload_interrupted', 'upload_offset_mismatch', 'upload_busy'].includes(f.code) ||
    isTransient({ status: f.status })
  );
}

/** The server's offset (HEAD answers Upload-Offset), or null when it cannot be reached. */
async function whereItStands(http: DeviceHttp, url: URL): Promise<number | null> {
  const res = await http(new Request(url, { method: 'HEAD' })).catch(() => null);
  const offset = res?.ok ? Number(res.headers.get('upload-offset')) : Number.NaN;
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : null;
}
