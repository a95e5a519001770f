/**
 * HTTP GET against an NF's metrics server with the limits a monitor needs: a hard timeout covering the
 * whole exchange (headers and body), a cap on the body size enforced while reading, and failures turned
 * into short messages an operator can act on ("connection refused", "timed out after 3000 ms", "HTTP 503").
 */

export type NfFetchOptions = {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly fetch?: typeof fetch;
  /** Aborts the request early (the monitor stopping). */
  readonly signal?: AbortSignal;
  readonly accept?: string;
};

/** A failed request; `message` is fit for an alarm or the NOC, `status` is set for HTTP errors. */
export class NfFetchError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'NfFetchError';
  }
}

export async function fetchNfText(url: string, options: NfFetchOptions): Promise<string> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const res = await (options.fetch ?? fetch)(url, {
      headers: { accept: options.accept ?? '*/*' },
      redirect: 'error',
      signal,
    });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new NfFetchError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, res.status);
    }
    return await readLimited(res, options.maxBytes);
  } catch (err) {
    if (err instanceof NfFetchError) throw err;
    if (timeout.aborted) throw new NfFetchError(`timed out after ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new NfFetchError('aborted: the monitor is stopping');
    throw new NfFetchError(describeNetworkError(err));
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new NfFetchError(`response of ${declared} bytes is over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new NfFetchError(`response is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (ECONNREFUSED): is the NF running and its metrics server enabled?',
  ECONNRESET: 'connection reset (ECONNRESET)',
  UND_ERR_SOCKET: 'connection closed by the NF (UND_ERR_SOCKET)',
  ENOTFOUND: 'host not found (ENOTFOUND)',
  EAI_AGAIN: 'host name lookup failed (EAI_AGAIN)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'network unreachable (ENETUNREACH)',
};

/** undici hides the socket error in `cause`; its code is what an operator recognises. */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code === undefined) return err instanceof Error ? err.message : String(err);
  return NETWORK_ERRORS[code] ?? `${code}${cause?.message ? `: ${cause.message}` : ''}`;
}
