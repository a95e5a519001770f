import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * Generated negative authentication tests: every operation in the committed OpenAPI document is called
 * without a token, with a malformed one and with a forged JWT, and must answer 401 unauthenticated — except
 * the routes listed as public here. A new public route fails this test until it is added on purpose.
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
]);

type Spec = { paths: Record<string, Record<string, { security?: unknown[] }>> };
const spec = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../openapi.json', import.meta.url)), 'utf8'),
) as Spec;
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    url: path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000'),
    documentedSecure: Array.isArray(op.security) && op.security.length > 0,
  })),
);
// A well-formed ES256 JWT signed by another key: the signature check must reject it.
const FORGED =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4IiwidHlwIjoib3BlcmF0b3IiLCJyb2xlcyI6WyJzdXBlci1hZG1pbiJdfQ.' +
  'MEUCIQDx0mJ5T7Ku8d0mUaG2dWm2zq7nqzHj0Q8FQ2p6a1zQ2wIgYp3p6P5n2m8d6wq9d0h3c8XWq6dU2w5n6v1a0x2b3c4';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('every route needs a token unless it is public on purpose', () => {
  it('the OpenAPI document marks exactly the public routes as needing no bearer token', () => {
    const undocumented = operations.filter((o) => !o.documentedSecure).map((o) => `${o.method} ${o.path}`);
    expect(undocumented.sort()).toEqual([...PUBLIC].sort());
  });

  it.each(
    operations
      .filter((o) => !PUBLIC.has(`${o.method} ${o.path}`))
      .map((o) => [`${o.method} ${o.path}`, o] as const),
  )('%s → 401 without, with a malformed and with a forged token', async (_name, op) => {
    const body = ['POST', 'PUT', 'PATCH'].includes(op.method) ? {} : undefined;
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer not-a-token' },
      { authorization: `Bearer ${FORGED}` },
    ]) {
      const res = await server.request(op.method, op.url, { headers, ...(body ? { body } : {}) });
      expect(res.status, `${op.method} ${op.url} ${JSON.stringify(headers)}`).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthenticated');
    }
  });
});
