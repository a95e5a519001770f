import { createApiClient, unwrap, type PakawaazClient, type Schemas } from '@pakawaaz/api-client';

export { unwrap } from '@pakawaaz/api-client';

/**
 * The control plane's typed HTTP client (@pakawaaz/api-client, from openapi.json) for lab drivers and benchmarks. An
 * error keeps the exact request and response, because a server bug found by the lab is worth reporting
 * verbatim; passwords in request bodies are masked.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly request: { readonly method: string; readonly path: string; readonly body?: unknown },
    readonly status: number,
    readonly response: string,
  ) {
    super(`${request.method} ${request.path} ${JSON.stringify(mask(request.body))} → ${status} ${response}`);
  }
}

const SECRET_KEYS = new Set(['password', 'newPassword', 'secret']);

function mask(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '***' : v]));
}

/**
 * Longest a lab request may wait for its answer's headers. A server that accepts a connection and never
 * answers (its event loop stuck) would otherwise hold a test until its hook's timeout, which says nothing of
 * the request. The body, once the headers came, may take as long as it takes (a large download).
 */
export const LAB_REQUEST_TIMEOUT_MS = 60_000;

const boundedFetch =
  (timeoutMs: number) =>
  async (request: Request, init?: RequestInit): Promise<Response> => {
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new Error('timeout')), timeoutMs);
    try {
      return await fetch(request, { ...init, signal: AbortSignal.any([request.signal, timer.signal]) });
    } catch (error) {
      if (!timer.signal.aborted || request.signal.aborted) throw error;
      const u = new URL(request.url);
      throw new Error(`${request.method} ${u.pathname} got no answer within ${timeoutMs} ms`, {
        cause: error,
      });
    } finally {
      clearTimeout(timeout);
    }
  };

export type ControlPlaneApi = PakawaazClient & {
  readonly url: string;
  readonly token: string | undefined;
  withToken(token: string): ControlPlaneApi;
};

/**
 * The typed client (@pakawaaz/api-client) with the token; any non-2xx reply rejects with the ApiError above
 * (request and response verbatim), so callers `unwrap` only successes.
 */
export function controlPlaneApi(
  url: string,
  token?: string,
  requestTimeoutMs = LAB_REQUEST_TIMEOUT_MS,
): ControlPlaneApi {
  const fetch = boundedFetch(requestTimeoutMs);
  const client = createApiClient({ baseUrl: url, fetch, ...(token ? { token } : {}) });
  const sent = new WeakMap<Request, Promise<string>>();
  client.use({
    onRequest({ request }) {
      sent.set(request, request.body ? request.clone().text() : Promise.resolve(''));
      return request;
    },
    async onResponse({ request, response }) {
      if (response.ok) return response;
      const text = (await sent.get(request)) ?? '';
      const type = request.headers.get('content-type') ?? '';
      const body: unknown = !text ? undefined : type.includes('json') ? JSON.parse(text) : `<${type} body>`;
      const u = new URL(request.url);
      throw new ApiError(
        { method: request.method, path: `${u.pathname}${u.search}`, body },
        response.status,
        await response.text(),
      );
    },
  });
  return Object.assign(client, {
    url,
    token,
    withToken: (next: string) => controlPlaneApi(url, next, requestTimeoutMs),
  });
}

export type LoginStep = Schemas['LoginStep'];

export function passwordLogin(api: ControlPlaneApi, username: string, password: string): Promise<LoginStep> {
  return unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
}

/**
 * Possession first (POST /api/v1/auth/login/start): a ticket for the SIM or the device to prove
 * themselves before the password — the way in while attackers' guesses keep the password step closed.
 */
export function possessionFirst(api: ControlPlaneApi, username: string): Promise<LoginStep> {
  return unwrap(api.POST('/api/v1/auth/login/start', { body: { username } }));
}

/** The password after the possession factor (POST /api/v1/auth/login/password-factor). */
export function passwordFactor(api: ControlPlaneApi, ticket: string, password: string): Promise<LoginStep> {
  return unwrap(api.POST('/api/v1/auth/login/password-factor', { body: { ticket, password } }));
}

/** Signs in with a password alone (an operator without TOTP) and returns an API client carrying the token. */
export async function signedIn(
  api: ControlPlaneApi,
  username: string,
  password: string,
): Promise<ControlPlaneApi> {
  const step = await passwordLogin(api, username, password);
  if (step.status !== 'authenticated')
    throw new Error(`${username} needs more than a password: ${step.status}`);
  return api.withToken(step.accessToken);
}
