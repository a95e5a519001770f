/**
 * A thin JSON client for the control plane's HTTP API (openapi.json), for lab drivers and benchmarks. An
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

export type RequestInit = {
  readonly body?: unknown;
  /** A text body (e.g. text/csv) instead of JSON. */
  readonly text?: { readonly contentType: string; readonly content: string };
  readonly expect?: readonly number[];
};

export type ControlPlaneApi = {
  readonly url: string;
  readonly token: string | undefined;
  request<T>(method: string, path: string, init?: RequestInit): Promise<T>;
  withToken(token: string): ControlPlaneApi;
};

function bodyOf(init: RequestInit): { headers: Record<string, string>; body?: string } {
  if (init.text) return { headers: { 'content-type': init.text.contentType }, body: init.text.content };
  if (init.body === undefined) return { headers: {} };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) };
}

export function controlPlaneApi(url: string, token?: string): ControlPlaneApi {
  return {
    url,
    token,
    async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
      const { headers, body } = bodyOf(init);
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const res = await fetch(`${url}${path}`, { method, headers: { ...headers, ...auth }, body });
      const text = await res.text();
      const ok = init.expect ? init.expect.includes(res.status) : res.status >= 200 && res.status < 300;
      if (!ok)
        throw new ApiError({ method, path, body: init.text ? '<text body>' : init.body }, res.status, text);
      return (text ? JSON.parse(text) : undefined) as T;
    },
    withToken: (next) => controlPlaneApi(url, next),
  };
}

/** The union of LoginStep replies (openapi.json components.schemas.LoginStep). */
export type LoginStep =
  | {
      status: 'authenticated';
      accessToken: string;
      refreshToken: string;
      userId: string;
      amr: string[];
      acr: string;
    }
  | { status: 'mfa_required'; ticket: string; factors: string[]; amr: string[] }
  | { status: 'password_change_required'; ticket: string }
  | { status: 'totp_enrolment_required'; ticket: string };

export function passwordLogin(api: ControlPlaneApi, username: string, password: string): Promise<LoginStep> {
  return api.request<LoginStep>('POST', '/api/v1/auth/login', { body: { username, password } });
}

/**
 * Possession first (POST /api/v1/auth/login/start): a ticket for the SIM or the device to prove
 * themselves before the password — the way in while attackers' guesses keep the password step closed.
 */
export function possessionFirst(api: ControlPlaneApi, username: string): Promise<LoginStep> {
  return api.request<LoginStep>('POST', '/api/v1/auth/login/start', { body: { username } });
}

/** The password after the possession factor (POST /api/v1/auth/login/password-factor). */
export function passwordFactor(api: ControlPlaneApi, ticket: string, password: string): Promise<LoginStep> {
  return api.request<LoginStep>('POST', '/api/v1/auth/login/password-factor', { body: { ticket, password } });
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
