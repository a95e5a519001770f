import { randomUUID } from 'node:crypto';
import { createApiClient, type PakawaazClient } from '@pakawaaz/api-client';
import type { Env } from '@pakawaaz/platform';

export { unwrap, type Schemas } from '@pakawaaz/api-client';

/** Raised for a CLI failure that is not an API reply; `exitCode` lets scripts tell the kinds apart (README). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The typed client (@pakawaaz/api-client) and where it points. */
export type Api = PakawaazClient & { readonly baseUrl: string };

/** How long a single API call may take before the CLI gives up (a SIM import upload is the slowest). */
const CALL_TIMEOUT_MS = 120_000;

export function baseUrlOf(env: Env): string {
  return (env.PAKAWAAZ_URL || 'http://localhost:8080').replace(/\/+$/, '');
}

/**
 * The CLI is a client of the HTTP API: PAKAWAAZ_URL (default http://localhost:8080) and PAKAWAAZ_TOKEN.
 * `auth: false` for the public routes (sign-in, readiness); otherwise a missing token is a usage error
 * before anything is sent. Each call carries its own request id, which failures quote.
 */
export function apiClient(env: Env, fetchImpl: typeof fetch = fetch, opts: { auth?: boolean } = {}): Api {
  const token = env.PAKAWAAZ_TOKEN;
  if (opts.auth !== false && !token)
    throw new CliError(
      'Set PAKAWAAZ_TOKEN to an access token or API token (see `pakawaaz login` and `pakawaaz tokens create`).',
      2,
    );
  const baseUrl = baseUrlOf(env);
  const client = createApiClient({
    baseUrl,
    ...(opts.auth !== false && token ? { token } : {}),
    requestId: () => `cli-${randomUUID()}`,
    fetch: (request) => fetchImpl(request, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) }),
  });
  return Object.assign(client, { baseUrl });
}
