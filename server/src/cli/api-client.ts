import type { Env } from '@pakawaaz/platform';

/** Raised for any failed CLI call; `exitCode` lets scripts tell usage/auth errors from an unreachable server. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** `contentType` sends `body` as a raw string of that type (e.g. text/csv) instead of JSON. */
export type RequestOptions = { auth?: boolean; contentType?: string };

export type ApiClient = {
  readonly baseUrl: string;
  /** A JSON API call; API errors become CliError with the server's code, message and request id. */
  request<T>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
  /** The same, returning the body as text (exports, NDJSON). */
  requestText(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<string>;
};

/** The CLI is a client of the HTTP API: PAKAWAAZ_URL (default http://localhost:8080) and PAKAWAAZ_TOKEN. */
export function apiClient(env: Env, fetchImpl: typeof fetch = fetch): ApiClient {
  const baseUrl = (env.PAKAWAAZ_URL || 'http://localhost:8080').replace(/\/+$/, '');
  const token = env.PAKAWAAZ_TOKEN;

  function headersFor(body: unknown, opts: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    if (opts.auth !== false) {
      if (!token)
        throw new CliError(
          'Set PAKAWAAZ_TOKEN to an access token or API token (see `pakawaaz login` and `pakawaaz tokens create`).',
          2,
        );
      headers.authorization = `Bearer ${token}`;
    }
    return headers;
  }

  async function send(
    method: string,
    path: string,
    body: unknown,
    opts: RequestOptions = {},
  ): Promise<string> {
    const init = {
      method,
      headers: headersFor(body, opts),
      body:
        body === undefined
          ? undefined
          : opts.contentType && typeof body === 'string'
            ? body
            : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    };
    let res: Response;
    try {
      res = await fetchImpl(`${baseUrl}${path}`, init);
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(
        `Cannot reach Pakawaaz at ${baseUrl} (${reason}). Is it running (npm start)? Set PAKAWAAZ_URL to point elsewhere.`,
        3,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      const e = (safeJson(text) ?? {}) as { code?: string; message?: string; requestId?: string };
      const message = `${e.code ?? `http_${res.status}`}: ${e.message ?? res.statusText}${e.requestId ? ` (request ${e.requestId})` : ''}`;
      throw new CliError(message, res.status === 401 || res.status === 403 ? 4 : 1);
    }
    return text;
  }

  return {
    baseUrl,
    request: async <T>(method: string, path: string, body?: unknown, opts?: RequestOptions) => {
      const text = await send(method, path, body, opts);
      return (text ? safeJson(text) : undefined) as T;
    },
    requestText: (method, path, body, opts) => send(method, path, body, opts),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
