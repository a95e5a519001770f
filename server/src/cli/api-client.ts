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
  request<T>(method: string, path: string, body?: unknown, opts?: RequestOptions): Promise<T>;
};

/** The CLI is a client of the HTTP API: PAKAWAAZ_URL (default http://localhost:8080) and PAKAWAAZ_TOKEN. */
export function apiClient(env: Env, fetchImpl: typeof fetch = fetch): ApiClient {
  const baseUrl = (env.PAKAWAAZ_URL || 'http://localhost:8080').replace(/\/+$/, '');
  const token = env.PAKAWAAZ_TOKEN;
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
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
      let res: Response;
      try {
        res = await fetchImpl(`${baseUrl}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : opts.contentType ? String(body) : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        throw new CliError(
          `Cannot reach Pakawaaz at ${baseUrl} (${reason}). Is it running (npm start)? Set PAKAWAAZ_URL to point elsewhere.`,
          3,
        );
      }
      const text = await res.text();
      const json: unknown = text ? safeJson(text) : undefined;
      if (!res.ok) {
        const e = (json ?? {}) as { code?: string; message?: string; requestId?: string };
        throw new CliError(
          `${e.code ?? `http_${res.status}`}: ${e.message ?? res.statusText}${e.requestId ? ` (request ${e.requestId})` : ''}`,
          res.status === 401 || res.status === 403 ? 4 : 1,
        );
      }
      return json as T;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
