import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { importJWK, jwtVerify, type JWK } from 'jose';
import type { ServerProcess } from '../server-process/server-process.js';
import { closedLoop, describeLoad, fmtInt } from './load.js';

/**
 * (b) Access-token verification. In-process: identity's `verifyAccessToken` is not on its public face, so
 * this runs the same `jose.jwtVerify` call with the same options (ES256, typ at+jwt, issuer, audience,
 * required claims) on a token the real server issued, against its JWKS key; the baseline is the bare
 * ECDSA P-256 signature check (node:crypto) under it. Over HTTP: GET /api/v1/auth/me with the bearer token
 * (signature + session lookup + profile) against GET /healthz (no auth) as the baseline.
 */

const IN_PROCESS_MS = 2_000;
const HTTP = { concurrency: 64, count: 20_000, ms: 6_000 };
const TARGET_VERIFY_PER_SECOND = 20_000;
const ISSUER = 'pakawaaz';
const AUDIENCE = 'pakawaaz-api';

async function jwksKey(url: string): Promise<JWK> {
  const res = await fetch(`${url}/.well-known/jwks.json`);
  const { keys } = (await res.json()) as { keys: JWK[] };
  if (!keys[0]) throw new Error('the JWKS has no key');
  return keys[0];
}

/** Sync calls per second for about `ms`, in batches so the clock is read rarely. */
function syncRate(op: () => boolean, ms: number): number {
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 200; i++) if (!op()) throw new Error('verification failed');
    calls += 200;
  }
  return calls / ((performance.now() - start) / 1000);
}

function rawVerifier(token: string, key: KeyObject): () => boolean {
  const [header, payload, signature] = token.split('.');
  const data = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature ?? '', 'base64url');
  return () => verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
}

async function inProcess(url: string, token: string, out: (line: string) => void): Promise<void> {
  const jwk = await jwksKey(url);
  const key = await importJWK(jwk, 'ES256');
  const options = {
    algorithms: ['ES256'],
    typ: 'at+jwt',
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['sub', 'jti', 'exp', 'iat'],
  };
  const op = async (): Promise<boolean> => (await jwtVerify(token, key, options)).payload.sub !== undefined;
  await closedLoop({ concurrency: 32, maxCount: 2_000, maxMs: 1_000, op });
  const jose = await closedLoop({ concurrency: 32, maxCount: 1_000_000, maxMs: IN_PROCESS_MS, op });
  const raw = syncRate(rawVerifier(token, createPublicKey({ key: jwk, format: 'jwk' })), IN_PROCESS_MS);
  const verdict = jose.perSecond >= TARGET_VERIFY_PER_SECOND && jose.failures === 0 ? 'PASS' : 'FAIL';
  out(
    `jose.jwtVerify ES256 (identity's options), in-process: ${fmtInt(jose.perSecond)} verifications/s` +
      (jose.failures ? `, ${jose.failures} FAILED` : ''),
  );
  out(
    `baseline: bare ECDSA P-256 verify (node:crypto): ${fmtInt(raw)}/s → jwtVerify costs ${(raw / jose.perSecond).toFixed(2)}x; ${verdict} (target ≥ ${fmtInt(TARGET_VERIFY_PER_SECOND)}/s)`,
  );
}

async function overHttp(url: string, token: string, out: (line: string) => void): Promise<void> {
  const get = (path: string, auth: boolean) => async (): Promise<boolean> => {
    const res = await fetch(`${url}${path}`, auth ? { headers: { authorization: `Bearer ${token}` } } : {});
    await res.arrayBuffer();
    return res.status === 200;
  };
  const run = (op: () => Promise<boolean>) =>
    closedLoop({ concurrency: HTTP.concurrency, maxCount: HTTP.count, maxMs: HTTP.ms, op });
  await closedLoop({
    concurrency: HTTP.concurrency,
    maxCount: 2_000,
    maxMs: 2_000,
    op: get('/api/v1/auth/me', true),
  });
  const me = await run(get('/api/v1/auth/me', true));
  const health = await run(get('/healthz', false));
  out(describeLoad(`GET /api/v1/auth/me (bearer), concurrency ${HTTP.concurrency}`, 'req', me));
  out(describeLoad('baseline: GET /healthz (no auth)', 'req', health));
  out(
    `→ token-checked request: ${fmtInt(me.perSecond)}/s vs ${fmtInt(health.perSecond)}/s = ${(health.perSecond / me.perSecond).toFixed(1)}x cost of verify + session check`,
  );
}

export async function benchTokens(
  server: ServerProcess,
  accessToken: string,
  out: (line: string) => void,
): Promise<void> {
  await inProcess(server.url, accessToken, out);
  await overHttp(server.url, accessToken, out);
}
