import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export * from './errors.js';

export type { components, operations, paths } from './schema.js';
export type Schemas = components['schemas'];
export type ErrorReply = Schemas['ErrorReply'];
/** Every stable error code the API documents (the union of the domains' `<Domain>ErrorCode` enums). */
export type ErrorCode = Schemas['ErrorCode'];
/** The typed client: `client.GET('/api/v1/…', { params })` returns `{ data, error, response }`. */
export type PakawaazClient = Client<paths>;

export type ApiClientOptions = {
  /** e.g. `http://localhost:8080` or the page's origin; a trailing slash is dropped. */
  baseUrl: string;
  /** A bearer token (access token or `pkz_` API token), or where to get the current one for each call. */
  token?: string | (() => string | undefined | null);
  /** An id per request, sent as `x-request-id` (the server echoes it in logs and in every ErrorReply). */
  requestId?: () => string;
  fetch?: (request: Request) => Promise<Response>;
};

/** A typed client of the Pakawaaz API (types generated from the committed openapi.json). */
export function createApiClient(options: ApiClientOptions): PakawaazClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const client = createClient<paths>({
    baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const { token, requestId } = options;
  if (token !== undefined || requestId) {
    client.use({
      onRequest({ request }) {
        const bearer = typeof token === 'function' ? token() : token;
        if (bearer && !request.headers.has('authorization'))
          request.headers.set('authorization', `Bearer ${bearer}`);
        if (requestId && !request.headers.has('x-request-id'))
          request.headers.set('x-request-id', requestId());
        return request;
      },
    });
  }
  return client;
}
