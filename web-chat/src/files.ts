// Files in a conversation: sealed in the browser (AES-256-GCM on WebCrypto, a fresh key per file, the IV
// prepended), uploaded as this desktop device (its DPoP-bound token and proofs) through
// /api/v1/chat/device/files; the key and the capability URL
// travel inside the MLS message, so the server stores ciphertext it cannot open.
import { b64u, fromB64u } from '../../lab/src/chat/bytes.ts';
import type { ChatFileRef } from '../../lab/src/chat/chat-content.ts';
import { isTransient, retryAfterSeconds } from './renewal.ts';
import {
  FILES,
  retryAfterMs,
  sendChunks,
  sleep,
  UploadError,
  type DeviceHttp,
  type SendOptions,
  type Upload,
} from './upload-chunks.ts';

export type { DeviceHttp };

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as T & { code?: string; message?: string };
  if (!res.ok) throw new UploadError(refusal(res, body.code ?? '', body.message), body.code ?? '');
  return body;
}

/** What the user is told of a refused request: the server's message, and what to do where it is not said. */
function refusal(res: Response, code: string, message = `HTTP ${res.status}`): string {
  const retryAfter = retryAfterSeconds(res.headers.get('retry-after')) ?? 0;
  if (code === 'too_many_uploads')
    return `${message} Wait for the files this device is sending to finish (an upload left by a closed page is released after a while), then send this one again.`;
  if (res.status === 429 && retryAfter > 0) return `${message} Try again in ${retryAfter} s.`;
  return message;
}

/** Attempts at `POST …/link` before a completed upload whose link was lost is given up. */
export const LINK_ATTEMPTS = 3;
/** The wait after the first failed attempt, doubled after each next (unless the server says Retry-After). */
export const LINK_PAUSE_MS = 1_000;

/**
 * Asks for a new link: a dropped connection, a timeout (408), a rate limit (429) or a server error (5xx) is
 * tried again, after the server's Retry-After when it gives one; any other refusal (upload_not_found: not
 * complete, or gone) is final. The last failure is thrown.
 */
async function askLink(http: DeviceHttp, url: URL, pause: (ms: number) => Promise<void>): Promise<Upload> {
  for (let attempt = 1; ; attempt++) {
    const res = await http(new Request(url, { method: 'POST' })).catch((err: unknown) => err as Error);
    const again = !(res instanceof Response) || isTransient({ status: res.status });
    if (!again || attempt >= LINK_ATTEMPTS) {
      if (res instanceof Response) return json<Upload>(res);
      throw res;
    }
    const retryAfter = res instanceof Response ? retryAfterMs(res) : 0;
    await pause(retryAfter > 0 ? retryAfter : LINK_PAUSE_MS * 2 ** (attempt - 1));
  }
}

/** Where the page is and how it waits (a test passes its own; the page, its origin and real time). */
export type UploadOptions = Partial<SendOptions>;

/** Seals and uploads a file (in chunks, as the server's limit says); returns the reference to send. */
export async function sealAndUpload(
  file: File,
  http: DeviceHttp,
  groupId: string,
  { origin = location.origin, ...options }: UploadOptions = {},
): Promise<ChatFileRef> {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aes = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt']);
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, await file.arrayBuffer()),
  );
  const sealed = new Uint8Array(iv.length + ct.length);
  sealed.set(iv);
  sealed.set(ct, iv.length);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sealed));
  let up = await json<Upload>(
    await http(
      new Request(new URL(FILES, origin), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sizeBytes: sealed.length, sha256: hex(digest), groupId }),
      }),
    ),
  );
  // Interrupted chunks resume from the server's offset (upload-chunks.ts). An upload that fails for good is
  // cancelled: left, it would count against the uploads in progress and the quota until it is swept (a day).
  // The DELETE may fail too (the same dropped connection): then the server's sweep releases it.
  const uploadUrl = new URL(`${FILES}/${encodeURIComponent(up.id)}`, origin);
  const cancel = () =>
    http(new Request(uploadUrl, { method: 'DELETE' })).then(
      (res) => res.ok,
      () => false,
    );
  try {
    up = await sendChunks(sealed, up, http, { ...options, origin });
  } catch (err) {
    await cancel();
    throw err;
  }
  if (!up.download) {
    // Completed, but the reply with the link was lost (the connection dropped on the last chunk): ask anew,
    // a few times. Without a link no one can fetch the file, so it is then cancelled; if that DELETE fails
    // too, the file keeps its place in the quota until it expires.
    try {
      up = await askLink(http, new URL(`${uploadUrl.href}/link`), options.pause ?? sleep);
      if (!up.download) throw new Error('the server did not return a download link');
    } catch (err) {
      const released = await cancel();
      const code = (err instanceof UploadError && err.code) || 'upload_link_lost';
      throw new UploadError(
        `The server did not give the link to the file (${(err as Error).message}): send the file again.${released ? '' : ' The copy already sent counts against the quota until it expires.'}`,
        code,
      );
    }
  }
  return {
    url: new URL(up.download.path, origin).href,
    key: b64u(key),
    hash: b64u(digest),
    name: file.name || 'file',
    size: sealed.length,
  };
}

/** Downloads a file of a conversation, checks its hash and opens it with the key the message carried. */
export async function fetchAndOpen(ref: ChatFileRef): Promise<Blob> {
  const res = await fetch(ref.url, { referrerPolicy: 'no-referrer' });
  if (!res.ok) throw new Error(`the file is no longer available (HTTP ${res.status})`);
  const sealed = new Uint8Array(await res.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', sealed));
  if (b64u(digest) !== ref.hash) throw new Error('the file does not match its message (hash)');
  const aes = await crypto.subtle.importKey('raw', fromB64u(ref.key), 'AES-GCM', false, ['decrypt']);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.subarray(0, 12) },
    aes,
    sealed.subarray(12),
  );
  return new Blob([plain]);
}
