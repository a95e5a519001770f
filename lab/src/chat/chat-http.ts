import type { MtlsFetch } from '@pakawaaz/handset-simulator';
import { chatRoutes, parseQueueItem, type ChatHttpErrorBody, type QueueItem } from './chat-wire.js';

const QUEUE_PAGE = 200;

/** The longest Retry-After honoured (a server asking for more is retried after this). */
export const MAX_RETRY_AFTER_SECONDS = 30;

export class ChatHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ChatHttpErrorBody,
    /** The server's Retry-After (429, 503), in seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${body.code}${body.message ? `: ${body.message}` : ''}`);
  }
}

/** One JSON call to the server; a non-2xx reply becomes a ChatHttpError with the server's `{ code, message }`. */
export async function call<T>(
  http: MtlsFetch,
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const init: RequestInit = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, 'content-type': 'application/json' };
  }
  const res = await http(new Request(new URL(path, base), init));
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    if (res.ok) throw new Error(`${method} ${path}: the server's reply is not JSON`);
  }
  if (!res.ok)
    throw new ChatHttpError(
      res.status,
      typeof (json as ChatHttpErrorBody | undefined)?.code === 'string'
        ? (json as ChatHttpErrorBody)
        : { code: `http_${res.status}` },
      retryAfter(res.headers.get('retry-after')),
    );
  return json as T;
}

/** Retry-After in delay-seconds (an HTTP date or garbage is ignored), at most MAX_RETRY_AFTER_SECONDS. */
function retryAfter(header: string | null): number | undefined {
  if (!header || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()), MAX_RETRY_AFTER_SECONDS);
}

/**
 * Whether a failed call's outcome is unknown or only postponed — a network failure, 429 or 5xx — so that it is
 * retried (with the same client id) rather than taken as the server's refusal.
 */
export function mayRetry(e: unknown): boolean {
  return !(e instanceof ChatHttpError) || e.status === 429 || e.status >= 500;
}

/** The longest a call waits on its own before trying again: a longer Retry-After is the caller's to honour. */
export const MAX_RETRY_WAIT_SECONDS = 5;

/**
 * Retries network failures, 429 and 5xx (the server deduplicates by client message id), not other 4xx; waits
 * the server's Retry-After when it gave one, else backs off (0.2, 0.4, 0.8 s …). A Retry-After over
 * MAX_RETRY_WAIT_SECONDS (a bot's budget for the minute, say) is thrown at once, for the app to show or wait.
 */
export async function retry<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!mayRetry(e) || i + 1 >= attempts) throw e;
      const after = e instanceof ChatHttpError ? e.retryAfterSeconds : undefined;
      if (after !== undefined && after > MAX_RETRY_WAIT_SECONDS) throw e;
      await new Promise((r) => setTimeout(r, Math.max(200 * 2 ** i, (after ?? 0) * 1000)));
    }
  }
}

/** Everything queued for the device after `after`, page by page (`get`: a GET of a path, as `call` does it). */
export async function fetchQueue(
  get: (path: string) => Promise<unknown>,
  after: number,
): Promise<QueueItem[]> {
  const items: QueueItem[] = [];
  for (;;) {
    const r = (await get(chatRoutes.inbox(after, QUEUE_PAGE))) as
      { envelopes?: unknown[]; more?: unknown } | undefined;
    const raw = Array.isArray(r?.envelopes) ? r.envelopes : [];
    const page = raw.map(parseQueueItem).filter((x): x is QueueItem => x !== null && x.seq > after);
    items.push(...page);
    // A page is cut by count and by bytes (1 MiB): `more` says whether the queue goes on (a server before it
    // cut by count only: a short page was the end).
    const more = typeof r?.more === 'boolean' ? r.more : raw.length >= QUEUE_PAGE;
    if (page.length === 0 || !more) return items;
    after = page[page.length - 1]!.seq;
  }
}
