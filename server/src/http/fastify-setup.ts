import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { APK_MEDIA_TYPE, STORE_APK_ROUTE } from '@pakawaaz/app-store';
import { OS_PAYLOAD_ROUTE } from '@pakawaaz/hardened-os';
import { CHAT_BODY_LIMITS, CHUNK_ROUTES, UPLOAD_MEDIA_TYPE } from '@pakawaaz/secure-chat';
import type { Logger, Metrics } from '@pakawaaz/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Routes that take a raw CSV body. */
const CSV_ROUTES: ReadonlySet<string> = new Set([
  '/api/v1/sims/imports',
  '/api/v1/user-imports',
  '/api/v1/subscribers/assignments',
]);

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** The built NOC (noc/dist), resolved from this file so it works from src/ (tests) and dist/ (runtime). */
export const NOC_DIST = fileURLToPath(new URL('../../../noc/dist/', import.meta.url));
/** The built officials' web chat (web-chat/dist), served at /chat/. */
export const WEB_CHAT_DIST = fileURLToPath(new URL('../../../web-chat/dist/', import.meta.url));

export function createFastifyAdapter(options: {
  bodyLimit: number;
  https?: { cert: Buffer; key: Buffer } | undefined;
}): FastifyAdapter {
  const adapter = new FastifyAdapter({
    ...(options.https ? { https: options.https } : {}),
    bodyLimit: options.bodyLimit,
    // Honour a well-formed X-Request-Id from a proxy (correlation across hops); otherwise make one.
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && INCOMING_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  });
  // JSON only: Fastify's own JSON parser (prototype-poisoning protection, bodyLimit); no text/plain and no
  // urlencoded forms, so a cross-site HTML form can never submit to the API. Parse errors reach Nest's
  // exception layer (and so our global filter) through the error handler Nest installs.
  adapter.getInstance().removeContentTypeParser('text/plain');
  // Chat's JSON routes have their own limits, set as each route is registered, whatever the general one: a
  // commit takes more (it carries a GroupInfo and a Welcome), a message send less (one MLS message).
  adapter.getInstance().addHook('onRoute', (route) => {
    const own = CHAT_BODY_LIMITS.get(route.url);
    if (own !== undefined) route.bodyLimit = own;
  });
  // Bulk uploads (SIM vendor batches, officials) are CSV, accepted on the import route only: any other route refuses
  // text/csv before reading a byte. On the import route the body is not read here at all: the handler gets
  // the request stream, after authentication and authorisation, and reads it with its limits checked as the
  // bytes arrive (nothing is buffered whole). CSV is not a type an HTML form can send: no CSRF path.
  adapter.getInstance().addContentTypeParser('text/csv', (req, payload, done) => {
    if (!CSV_ROUTES.has(req.routeOptions.url ?? '')) {
      done(
        Object.assign(new Error('text/csv is accepted for bulk imports only'), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
        undefined,
      );
      return;
    }
    done(null, payload);
  });
  // OTA payloads (gigabytes) likewise: the raw stream goes to the handler, on the upload route only.
  adapter.getInstance().addContentTypeParser('application/octet-stream', (req, payload, done) => {
    if (req.routeOptions.url !== OS_PAYLOAD_ROUTE) {
      done(
        Object.assign(new Error('application/octet-stream is accepted for OTA payload uploads only'), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
        undefined,
      );
      return;
    }
    done(null, payload);
  });
  // APKs (hundreds of megabytes) likewise, on the store's upload route only.
  adapter.getInstance().addContentTypeParser(APK_MEDIA_TYPE, (req, payload, done) => {
    if (req.routeOptions.url !== STORE_APK_ROUTE) {
      done(
        Object.assign(new Error(`${APK_MEDIA_TYPE} is accepted for APK uploads only`), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
        undefined,
      );
      return;
    }
    done(null, payload);
  });
  // Chat attachments' chunks (tus 1.0's media type) likewise, on the PATCH routes only.
  adapter.getInstance().addContentTypeParser(UPLOAD_MEDIA_TYPE, (req, payload, done) => {
    if (!CHUNK_ROUTES.has(req.routeOptions.url ?? '')) {
      done(
        Object.assign(new Error(`${UPLOAD_MEDIA_TYPE} is accepted for chat attachment chunks only`), {
          statusCode: 415,
          code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
        }),
        undefined,
      );
      return;
    }
    done(null, payload);
  });
  return adapter;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
};
/** One year, the host only (the operator decides for subdomains). */
const HSTS = 'max-age=31536000';
const csp = (connect: readonly string[]) =>
  `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src ${["'self'", ...connect].join(' ')}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
const NOC_CSP = csp([]);

/**
 * Request ids on every reply, security headers, one access-log line and one metrics sample per request. The web
 * chat's pages (`/chat/`) may also connect to `chatConnect()`'s origins (the media hosts' Janus WebSockets).
 */
export function installHooks(
  instance: FastifyInstance,
  logger: Logger,
  metrics: Metrics,
  chatConnect: () => readonly string[] = () => [],
): void {
  instance.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    if (req.url.startsWith('/chat/')) void reply.header('content-security-policy', csp(chatConnect()));
    else if (!req.url.startsWith('/docs')) void reply.header('content-security-policy', NOC_CSP);
    // Served over TLS here: browsers keep to HTTPS for this host (not sent on plain HTTP, where it means nothing).
    if ((req.raw.socket as { encrypted?: boolean }).encrypted === true)
      void reply.header('strict-transport-security', HSTS);
  });
  instance.addHook('onResponse', async (req, reply) => {
    const seconds = reply.elapsedTime / 1000;
    const route = req.routeOptions.url;
    metrics.observeHttp(req.method, route, reply.statusCode, seconds);
    if (route !== '/healthz' && route !== '/readyz' && route !== '/metrics') {
      logger.info(
        {
          requestId: req.id,
          method: req.method,
          route: route ?? 'unmatched',
          status: reply.statusCode,
          ms: Math.round(seconds * 1000),
        },
        'request',
      );
    }
  });
}

/** Serves the NOC SPA: hashed assets cached for a year, index.html never cached. */
export async function serveNoc(instance: FastifyInstance): Promise<boolean> {
  // The officials' web chat, when built: its own page and assets under /chat/, apart from the NOC's.
  if (existsSync(`${WEB_CHAT_DIST}index.html`))
    await instance.register(fastifyStatic, {
      root: WEB_CHAT_DIST,
      prefix: '/chat/',
      decorateReply: false,
      // A route per built file (and /chat/ for index.html): with the router's ignoreTrailingSlash, a wildcard
      // route would leave /chat/ to the NOC's.
      wildcard: false,
      index: ['index.html'],
      cacheControl: false,
      setHeaders: (res, file) => {
        res.setHeader('cache-control', cacheControlOf(file));
      },
    });
  if (!existsSync(`${NOC_DIST}index.html`)) return false;
  await instance.register(fastifyStatic, {
    root: NOC_DIST,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (res, file) => {
      res.setHeader('cache-control', cacheControlOf(file));
    },
  });
  return true;
}

const cacheControlOf = (file: string) =>
  file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';

/** SPA fallback: a browser navigating to /system or /audit gets index.html; API clients get the JSON 404. */
export function wantsNocPage(req: FastifyRequest): boolean {
  const path = req.url.split('?')[0] ?? '';
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    (req.headers.accept ?? '').includes('text/html') &&
    !/^\/(api|docs|metrics|healthz|readyz|ota|\.well-known)(\/|$)/.test(path) &&
    !/\.[a-z0-9]{1,8}$/i.test(path)
  );
}

export function sendNocIndex(reply: FastifyReply): void {
  void reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html');
}
