import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { accessTokenChecker, verifyAccessToken } from '@pakawaaz/identity';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { ServerProcess } from '../server-process/server-process.js';
import { closedLoop, describeLoad, fmtInt } from './load.js';

/**
 * (b) Access-token verification. In-process, on a token the real server issued and its JWKS key: identity's
 * `accessTokenChecker` — the code every request's bearer token goes through before the session check (the
 * full verification the first time a token is seen, its memory afterwards) — and `verifyAccessToken` alone
 * (the first request with a new token); the baseline is the bare ECDSA P-256 signature check under it.
 * Over HTTP: GET /api/v1/auth/me with the bearer token (verify + session + profile reads) against GET
 * /healthz (no auth), and the same with an API token (verified through the API-token memory: token roles
 * ∩ its owner's current roles, re-read from the database at most once a minute or after a change).
 */

const IN_PROCESS_MS = 2_000;
const HTTP = { concurrency: 64, count: 20_000, ms: 6_000 };
const TARGET_VERIFY_PER_SECOND = 20_000;
const ISSUER = 'pakawaaz';

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
  // An EC JWK always imports as a CryptoKey (only 'oct' keys come back as bytes).
  const key = { publicKey: (await importJWK(jwk, 'ES256')) as CryptoKey };
  const check = accessTokenChecker(key, ISSUER);
  const rate = async (op: () => Promise<boolean>) => {
    await closedLoop({ concurrency: 32, maxCount: 2_000, maxMs: 1_000, op });
    return closedLoop({ concurrency: 32, maxCount: 2_000_000, maxMs: IN_PROCESS_MS, op });
  };
  const perRequest = await rate(async () => (await check(token, new Date()))?.sub !== undefined);
  const firstUse = await rate(
    async () => (await verifyAccessToken(token, key, { issuer: ISSUER, now: new Date() }))?.sub !== undefined,
  );
  const raw = syncRate(rawVerifier(token, createPublicKey({ key: jwk, format: 'jwk' })), IN_PROCESS_MS);
  const ok =
    perRequest.perSecond >= TARGET_VERIFY_PER_SECOND && perRequest.failures + firstUse.failures === 0;
  out(
    `access-token check per request (accessTokenChecker), in-process: ${fmtInt(perRequest.perSecond)}/s; ${ok ? 'PASS' : 'FAIL'} (target ≥ ${fmtInt(TARGET_VERIFY_PER_SECOND)}/s)`,
  );
  out(`first use of a token (verifyAccessToken: ES256 + claims): ${fmtInt(firstUse.perSecond)}/s`);
  out(
    `baseline: bare ECDSA P-256 verify (node:crypto): ${fmtInt(raw)}/s → full JWT verification costs ${(raw / firstUse.perSecond).toFixed(2)}x, the per-request check ${(perRequest.perSecond / raw).toFixed(1)}x faster than one signature check`,
  );
}

async function apiToken(url: string, accessToken: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', roles: ['viewer'] }),
  });
  if (res.status !== 201) throw new Error(`POST /api/v1/tokens → ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function overHttp(url: string, token: string, out: (line: string) => void): Promise<void> {
  const secret = await apiToken(url, token);
  const get =
    (path: string, auth: boolean, bearer = token) =>
    async (): Promise<boolean> => {
      const res = await fetch(
        `${url}${path}`,
        auth ? { headers: { authorization: `Bearer ${bearer}` } } : {},
      );
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
  const viaApiToken = await run(get('/api/v1/auth/me', true, secret));
  const health = await run(get('/healthz', false));
  out(describeLoad(`GET /api/v1/auth/me (bearer), concurrency ${HTTP.concurrency}`, 'req', me));
  out(describeLoad(`GET /api/v1/auth/me (API token), concurrency ${HTTP.concurrency}`, 'req', viaApiToken));
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
