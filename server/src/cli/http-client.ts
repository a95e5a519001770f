import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { PakawaazClient } from '@pakawaaz/api-client';
import type { ReplyHead } from '@pakawaaz/api-client/errors';

/**
 * The CLI's HTTP transport: the typed client's call shape (`api.GET('/api/v1/…', { params, body })` returning
 * `{ data, error, response }`, as openapi-fetch) over node:http(s). Node's global fetch, Request and Headers
 * load undici on first use, which costs a short CLI call more than all of its own code; node:http costs a
 * fraction of that (figures: `npm run bench /cli.bench`). The NOC and the lab keep the fetch-based client.
 *
 * What the commands use is what it does: path and query parameters, a JSON body (or a `bodySerializer`'s
 * string, e.g. CSV with its `content-type` header), `parseAs` json or text, redirects like fetch. The reply's
 * `response` has `status`, `ok`, `statusText`, `url` and `headers.get()`, nothing else.
 */
export type HttpClient = Pick<PakawaazClient, 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE'>;

export type HttpClientOptions = {
  baseUrl: string;
  /** Sent as `authorization: Bearer …` on every call. */
  token?: string;
  /** An id per request, sent as `x-request-id`. */
  requestId: () => string;
  timeoutMs: number;
};

type CallOptions = {
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  body?: unknown;
  bodySerializer?: (body: unknown) => string;
  headers?: Record<string, string>;
  parseAs?: 'json' | 'text';
};

/** Reply head handed back as `response` (the part of a fetch Response the CLI reads). */
class Reply implements ReplyHead {
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly url: string,
    private readonly raw: IncomingHttpHeaders,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  readonly headers = {
    get: (name: string): string | null => {
      const v = this.raw[name.toLowerCase()];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
    has: (name: string): boolean => this.raw[name.toLowerCase()] !== undefined,
  };
}

const enc = (v: unknown) => encodeURIComponent(String(v));

/** openapi-fetch's default serialisation: simple path parameters; form-exploded arrays and deepObject. */
export function callUrl(baseUrl: string, path: string, params: CallOptions['params'] = {}): string {
  const pathname = path.replace(/\{([^{}]+)\}/g, (match, name: string) => {
    const v = params.path?.[name];
    return v === undefined || v === null ? match : enc(v);
  });
  const search: string[] = [];
  for (const [name, value] of Object.entries(params.query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const v of value as unknown[]) search.push(`${name}=${enc(v)}`);
    else if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) search.push(`${name}[${k}]=${enc(v)}`);
    else search.push(`${name}=${enc(value)}`);
  }
  return `${baseUrl}${pathname}${search.length ? `?${search.join('&')}` : ''}`;
}

type Sent = { reply: Reply; text: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** The largest answer read (a 10,000-subscriber Open5GS export is ≈ 20 MiB). */
const MAX_RESPONSE_BYTES = 256 * 2 ** 20;

/** One exchange, following up to 5 redirects as fetch does (303, and 301/302 after a POST, turn into a GET). */
async function exchange(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  hops = 0,
): Promise<Sent> {
  const target = new URL(url);
  // Not `import`ed: on Node 24, importing node:http from ESM loads undici (for its WebSocket export).
  const { request } =
    target.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      resolve,
    );
    const timer = setTimeout(() => {
      const err = new Error(`no answer within ${timeoutMs / 1000} s`);
      err.name = 'TimeoutError';
      req.destroy(err);
    }, timeoutMs);
    timer.unref();
    // Like fetch, a failure to get an answer is a TypeError with the cause (unwrap() makes it `network_error`).
    req.once('error', (err) =>
      reject(err.name === 'TimeoutError' ? err : new TypeError('fetch failed', { cause: err })),
    );
    req.once('close', () => clearTimeout(timer));
    req.end(body);
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_RESPONSE_BYTES) {
      res.destroy();
      throw new Error(
        `The server's answer is larger than ${MAX_RESPONSE_BYTES / 2 ** 20} MiB: not read (is PAKAWAAZ_URL the Pakawaaz server?).`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const location = res.headers.location;
  if (REDIRECTS.has(res.statusCode ?? 0) && location && hops < 5) {
    // The bearer token (and a login's password in the body) must never follow a redirect elsewhere:
    // only the same scheme, host and port is followed.
    const next = new URL(location, target);
    if (next.origin !== target.origin)
      throw new Error(
        `The server redirected to ${next.origin}: not followed, so the token stays here. If that is the Pakawaaz server, set PAKAWAAZ_URL=${next.origin}.`,
      );
    const toGet = res.statusCode === 303 || ((res.statusCode ?? 0) < 303 && method === 'POST');
    const nextHeaders = toGet ? stripBody(headers) : headers;
    return exchange(
      toGet ? 'GET' : method,
      next.href,
      nextHeaders,
      toGet ? undefined : body,
      timeoutMs,
      hops + 1,
    );
  }
  return { reply: new Reply(res.statusCode ?? 0, res.statusMessage ?? '', url, res.headers), text };
}

function stripBody(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _type, ...rest } = headers;
  return rest;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  async function call(method: string, path: string, init: CallOptions = {}) {
    const headers: Record<string, string> = { accept: '*/*' };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = init.bodySerializer ? init.bodySerializer(init.body) : JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    headers['x-request-id'] = options.requestId();
    const { reply, text } = await exchange(
      method,
      callUrl(baseUrl, path, init.params),
      headers,
      body,
      options.timeoutMs,
    );
    // As openapi-fetch: no content is `data: undefined`; an error body is parsed when it is JSON.
    if (reply.status === 204 || text === '')
      return reply.ok ? { data: undefined, response: reply } : { error: undefined, response: reply };
    if (!reply.ok) {
      let error: unknown = text;
      try {
        error = JSON.parse(text);
      } catch {
        // not JSON: the text is the error
      }
      return { error, response: reply };
    }
    const data: unknown = init.parseAs === 'text' ? text : JSON.parse(text);
    return { data, response: reply };
  }
  const method = (name: string) => (path: string, init?: CallOptions) => call(name, path, init);
  return {
    GET: method('GET'),
    PUT: method('PUT'),
    POST: method('POST'),
    PATCH: method('PATCH'),
    DELETE: method('DELETE'),
  } as unknown as HttpClient;
}
