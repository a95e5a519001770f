import type { Env } from '@pakawaaz/platform';
import { createHttpClient, type HttpClient } from './http-client.js';

export { unwrap } from '@pakawaaz/api-client/errors';
export type { Schemas } from '@pakawaaz/api-client';

/** Raised for a CLI failure that is not an API reply; `exitCode` lets scripts tell the kinds apart (README). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The typed client (the call shape of @pakawaaz/api-client, over the CLI's own transport) and where it points. */
export type Api = HttpClient & { readonly baseUrl: string };

/** How long a single API call may take before the CLI gives up (a SIM import upload is the slowest). */
const CALL_TIMEOUT_MS = 120_000;

/** PAKAWAAZ_URL; without it the server this machine runs: http://127.0.0.1:$PORT (default port 8080). */
export function baseUrlOf(env: Env): string {
  if (env.PAKAWAAZ_URL) return env.PAKAWAAZ_URL.replace(/\/+$/, '');
  return `http://127.0.0.1:${env.PORT || '8080'}`;
}

/**
 * The CLI is a client of the HTTP API: PAKAWAAZ_URL (default http://127.0.0.1:$PORT) and PAKAWAAZ_TOKEN.
 * `auth: false` for the public routes (sign-in, readiness); otherwise a missing token is a usage error
 * before anything is sent. Each call carries its own request id, which failures quote.
 */
export function apiClient(env: Env, opts: { auth?: boolean } = {}): Api {
  const token = env.PAKAWAAZ_TOKEN;
  if (opts.auth !== false && !token)
    throw new CliError(
      'Set PAKAWAAZ_TOKEN to an access token or API token (see `pakawaaz login` and `pakawaaz tokens create`).',
      2,
    );
  const baseUrl = baseUrlOf(env);
  const client = createHttpClient({
    baseUrl,
    ...(opts.auth !== false && token ? { token } : {}),
    // node:crypto is loaded at start-up already; importing it from ESM would load all of its parts.
    requestId: () => `cli-${process.getBuiltinModule('node:crypto').randomUUID()}`,
    timeoutMs: CALL_TIMEOUT_MS,
  });
  return Object.assign(client, { baseUrl });
}
