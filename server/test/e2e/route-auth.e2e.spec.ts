import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Generated negative authentication tests: every operation in the committed OpenAPI document is called
 * without a token, with a malformed one, with tokens that are well-formed and carry valid claims but were not
 * signed by the server (another P-256 key, `alg: none`, HS256 keyed with the server's public key), and with
 * the genuine token of a revoked session — and must answer 401 unauthenticated, except the routes listed as
 * public here. A new public route fails this test until it is added on purpose. Device routes (scope `device`)
 * take no bearer token at all: every one of those requests carries no device certificate, so 401
 * device_certificate_required.
 */
const PUBLIC = new Set([
  'GET /.well-known/jwks.json',
  'GET /healthz',
  'GET /readyz',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/start',
  'POST /api/v1/auth/login/password-factor',
  'POST /api/v1/auth/login/totp-enrolment',
  'POST /api/v1/auth/login/totp',
  'POST /api/v1/auth/login/recovery-code',
  'POST /api/v1/auth/login/password',
  'POST /api/v1/auth/login/passkey',
  'POST /api/v1/auth/login/passkey/options',
  'POST /api/v1/auth/login/device',
  'POST /api/v1/auth/device/challenge',
  'POST /api/v1/auth/sim/start',
  'POST /api/v1/auth/sim/continue',
  'POST /api/v1/auth/refresh',
  // An official's enrolment code is their only credential before they have a password.
  'POST /api/v1/auth/enrol',
  // A handset before it has a certificate: the single-use enrolment token is its credential.
  'POST /api/v1/enrolment/challenge',
  'POST /api/v1/enrolment',
  // What handsets and relying parties need to check device certificates: public by nature.
  'GET /api/v1/device-ca/certificate',
  'GET /api/v1/device-ca/crl',
  // Signed OS updates: a TUF client checks signatures against the root it ships with, not a token.
  'GET /ota/metadata/{file}',
  'GET /ota/targets/{model}/{version}/{file}',
  // The catalogue key handsets pin: catalogues are checked by their signature, not by who may read the key.
  'GET /api/v1/store/catalogue/key',
  // A chat attachment's capability URL: the 256-bit token in the path is the credential (the file is
  // ciphertext; its key travels in the E2EE message).
  'GET /api/v1/chat/downloads/{token}',
  // An e-Office bot before it has a certificate: its single-use enrolment secret is its credential.
  'POST /api/v1/chat/bot-enrolment',
]);

type Spec = {
  paths: Record<string, Record<string, { security?: unknown[]; 'x-pakawaaz-scope'?: string }>>;
};
const spec = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../openapi.json', import.meta.url)), 'utf8'),
) as Spec;
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
    documentedSecure: Array.isArray(op.security) && op.security.length > 0,
    // A handset's route: its device certificate authenticates it, no bearer token does.
    device: op['x-pakawaaz-scope'] === 'device',
  })),
);

const b64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The genuine token's header and claims, re-signed with `key` — only the signature is wrong. */
async function resigned(
  header: ProtectedHeaderParameters,
  claims: JWTPayload,
  alg: 'ES256' | 'HS256',
  key: CryptoKey | Uint8Array,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(key);
}

let server: TestServer;
/** Tokens every protected operation must refuse, by name. */
const rejected: Record<string, string> = {};
let live: { token: string; header: ProtectedHeaderParameters; claims: JWTPayload };

beforeAll(async () => {
  server = await startTestServer();
  // Two sign-ins of the super-admin: one stays live (its claims are copied into the forgeries, so they name a
  // live session), the other is revoked and its still-unexpired token replayed.
  const token = await server.adminToken();
  live = { token, header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  const victim = await server.adminToken();
  // Used once first, so the server has verified (and may remember) it before the revocation.
  const before = await server.request('GET', '/api/v1/account/sessions', { token: victim });
  if (before.status !== 200) throw new Error(`victim token refused before revocation: ${before.status}`);
  const revoked = await server.request('DELETE', `/api/v1/sessions/${String(decodeJwt(victim)['sid'])}`, {
    token,
  });
  if (revoked.status !== 204) throw new Error(`session revocation failed: ${revoked.status}`);

  const jwks = (await (await server.request('GET', '/.well-known/jwks.json')).json()) as { keys: JWK[] };
  const publicJwk = jwks.keys[0]!;
  const publicPem = await exportSPKI((await importJWK(publicJwk, 'ES256')) as CryptoKey);
  const other = await generateKeyPair('ES256');
  const { header, claims } = live;
  Object.assign(rejected, {
    'no token': '',
    malformed: 'not-a-token',
    'ES256 signed by another P-256 key': await resigned(header, claims, 'ES256', other.privateKey),
    'alg none': `${b64url({ ...header, alg: 'none' })}.${b64url(claims)}.`,
    // Key confusion: a verifier that lets the token pick its algorithm would take the public key as an HMAC
    // secret. Both encodings a server might hold it in: the published JWK and the SPKI PEM.
    'HS256 keyed with the public JWK': await resigned(
      header,
      claims,
      'HS256',
      new TextEncoder().encode(JSON.stringify(publicJwk)),
    ),
    'HS256 keyed with the public key PEM': await resigned(
      header,
      claims,
      'HS256',
      new TextEncoder().encode(publicPem),
    ),
    'revoked session': victim,
  });
});
afterAll(() => server?.stop());

describe('every route needs a token unless it is public on purpose', () => {
  it('the OpenAPI document marks exactly the public routes as needing no bearer token', () => {
    const undocumented = operations
      .filter((o) => !o.documentedSecure && !o.device)
      .map((o) => `${o.method} ${o.path}`);
    expect(undocumented.sort()).toEqual([...PUBLIC].sort());
  });

  it('the forgeries carry the live token’s valid claims, and only their signature differs', async () => {
    expect(live.header).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) as string });
    expect(live.claims).toMatchObject({
      iss: 'pakawaaz',
      aud: 'pakawaaz-api',
      sub: expect.any(String) as string,
      typ: 'operator',
      roles: ['super-admin'],
      sid: expect.any(String) as string,
      jti: expect.any(String) as string,
    });
    expect(live.claims.exp! * 1000).toBeGreaterThan(Date.now() + 60_000);
    for (const name of ['ES256 signed by another P-256 key', 'alg none', 'HS256 keyed with the public JWK']) {
      expect(decodeJwt(rejected[name]!), name).toEqual(live.claims);
      expect(decodeProtectedHeader(rejected[name]!).kid, name).toBe(live.header.kid);
    }
    // The genuine token with the same claims is accepted: the refusals below are the signature's doing.
    expect((await server.request('GET', '/api/v1/sessions', { token: live.token })).status).toBe(200);
  });

  it.each(
    operations
      .filter((o) => !PUBLIC.has(`${o.method} ${o.path}`))
      .map((o) => [`${o.method} ${o.path}`, o] as const),
  )('%s → 401 for every token not issued by the server for a live session', async (_name, op) => {
    const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
    const replies = await Promise.all(
      Object.entries(rejected).map(async ([name, token]) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        const res = await server.request(op.method, op.url, { headers, ...(body ? { body } : {}) });
        return { name, status: res.status, code: ((await res.json()) as { code?: string }).code };
      }),
    );
    const code = op.device ? 'device_certificate_required' : 'unauthenticated';
    expect(replies).toEqual(Object.keys(rejected).map((name) => ({ name, status: 401, code })));
  });
});
