import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceGate, testNatsUrl } from '@pakawaaz/test-support';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { code: string; message: string; requestId: string };

describe('control plane over HTTP (embedded default)', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await server.adminToken();
  });
  afterAll(() => server.stop());

  it('serves liveness, readiness and Prometheus metrics without a token', async () => {
    const live = await server.request('GET', '/healthz');
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    expect(((await (await server.request('GET', '/healthz')).json()) as { version: string }).version).toMatch(
      /^\d+\.\d+\.\d+/,
    );
    const ready = await server.request('GET', '/readyz');
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up', eventBus: 'up' } });
    const metrics = await (await server.request('GET', '/metrics')).text();
    expect(metrics).toMatch(/pakawaaz_http_request_duration_seconds_bucket\{.*route="\/healthz".*\}/);
    expect(metrics).toContain('pakawaaz_process_resident_memory_bytes');
  });

  it('answers bad input with stable codes, the request id and no internals', async () => {
    const cases: [Response, number, string][] = [
      [await server.request('GET', '/api/v1/nope', { token: admin }), 404, 'not_found'],
      [
        await server.request('POST', '/api/v1/auth/login', { body: '{"username": "admin",' }),
        400,
        'malformed_json',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', { body: { username: 'admin' } }),
        400,
        'validation_failed',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: { username: 'a', password: 'b', extra: 1 },
        }),
        400,
        'validation_failed',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: 'username=admin',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
        415,
        'unsupported_media_type',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: 'admin',
          headers: { 'content-type': 'text/plain' },
        }),
        415,
        'unsupported_media_type',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: 'imsi,iccid\n'.repeat(100_000),
          headers: { 'content-type': 'text/csv' },
        }),
        415,
        'unsupported_media_type',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: { username: 'x'.repeat(2 * 1024 * 1024), password: 'p' },
        }),
        413,
        'payload_too_large',
      ],
      // A chat commit may carry ~3 MiB (GroupInfo and Welcome at their MLS limits): read, then refused for
      // want of a device certificate; beyond its own limit, 413 before any of it is parsed.
      [
        await server.request('POST', '/api/v1/chat/groups/g/commits', {
          body: { commit: 'A'.repeat(2 * 1024 * 1024), groupInfo: 'A', clientId: 'abcdefgh' },
        }),
        401,
        'device_certificate_required',
      ],
      [
        await server.request('POST', '/api/v1/chat/groups/g/commits', {
          body: { commit: 'A'.repeat(4 * 1024 * 1024), groupInfo: 'A', clientId: 'abcdefgh' },
        }),
        413,
        'payload_too_large',
      ],
      [
        await server.request('POST', '/api/v1/auth/login', {
          body: '{"__proto__": {"roles": ["super-admin"]}, "username": "a", "password": "b"}',
        }),
        400,
        'malformed_json',
      ],
    ];
    for (const [res, status, code] of cases) {
      const body = (await res.json()) as ErrorBody;
      expect({ status: res.status, code: body.code }).toEqual({ status, code });
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
      expect(JSON.stringify(body)).not.toMatch(/stack|node_modules|at .*\.js/);
    }
  });

  it('honours a well-formed incoming X-Request-Id and replaces a malformed one', async () => {
    const ok = await server.request('GET', '/healthz', { headers: { 'x-request-id': 'lb-7f3a9c21-0001' } });
    expect(ok.headers.get('x-request-id')).toBe('lb-7f3a9c21-0001');
    const bad = await server.request('GET', '/healthz', {
      headers: { 'x-request-id': 'id with spaces; DROP TABLE' },
    });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('denies protected routes without a valid token, and never says whether an account exists', async () => {
    for (const token of [undefined, 'not-a-token-but-long-enough', `${admin.slice(0, -4)}AAAA`]) {
      const res = await server.request('GET', '/api/v1/system', { token });
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).code).toBe('unauthenticated');
    }
    const unknown = await server.request('POST', '/api/v1/auth/login', {
      body: { username: 'nobody', password: 'whatever-password' },
    });
    const wrong = await server.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: 'whatever-password' },
    });
    const [a, b] = (await Promise.all([unknown.json(), wrong.json()])) as ErrorBody[];
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect({ code: a?.code, message: a?.message }).toEqual({ code: b?.code, message: b?.message });
  });

  it('signs in an operator and shows the live system status', async () => {
    const me = (await (await server.request('GET', '/api/v1/auth/me', { token: admin })).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({ username: 'admin', roles: ['super-admin'], amr: ['pwd'], acr: 'aal1' });
    const status = (await (await server.request('GET', '/api/v1/system', { token: admin })).json()) as {
      database: { mode: string; status: string };
      eventBus: { mode: string; status: string; deadLetters: unknown };
      domains: {
        name: string;
        status: string;
        health: string;
        migrations: { applied: number; available: number };
      }[];
    };
    expect(status.database).toMatchObject({ mode: 'embedded', status: 'up' });
    expect(status.eventBus).toMatchObject({
      mode: 'in-process',
      status: 'up',
      deadLetters: { total: 0, last24h: 0, latest: [] },
    });
    expect(status.domains.map((d) => d.name)).toEqual([
      'platform',
      'core-network',
      'hardened-os',
      'identity',
      'device-mgmt',
      'app-store',
      'secure-chat',
    ]);
    for (const d of status.domains) {
      expect(d.health).toBe('up');
      expect(d.migrations.applied).toBe(d.migrations.available);
    }
    // What runs here: every domain is built (a planned one would show its module and schema only).
    expect(Object.fromEntries(status.domains.map((d) => [d.name, d.status]))).toEqual({
      platform: 'active',
      'core-network': 'active',
      'hardened-os': 'active',
      identity: 'active',
      'device-mgmt': 'active',
      'app-store': 'active',
      'secure-chat': 'active',
    });
  });

  it('publishes the token-signing key as a JWKS', async () => {
    const jwks = (await (await server.request('GET', '/.well-known/jwks.json')).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const header = JSON.parse(Buffer.from(admin.split('.')[0]!, 'base64url').toString()) as { kid: string };
    expect(jwks.keys[0]?.kid).toBe(header.kid);
  });

  it('creates, enforces and revokes API tokens, with an audit trail', async () => {
    const created = await server.request('POST', '/api/v1/tokens', {
      token: admin,
      body: { name: 'provisioning', roles: ['viewer'] },
    });
    expect(created.status).toBe(201);
    const { id, token } = (await created.json()) as { id: string; token: string };
    expect(token).toMatch(/^pkz_[A-Za-z0-9_-]{43}$/);
    expect((await server.request('GET', '/api/v1/system', { token })).status).toBe(200);
    const escalate = await server.request('POST', '/api/v1/tokens', {
      token,
      body: { name: 'x', roles: ['super-admin'] },
    });
    expect(escalate.status).toBe(403);
    const list = JSON.stringify(
      await (await server.request('GET', '/api/v1/tokens', { token: admin })).json(),
    );
    expect(list).toContain(id);
    expect(list).not.toContain(token);
    expect(list).not.toContain('secretHash');
    expect((await server.request('DELETE', `/api/v1/tokens/${id}`, { token: admin })).status).toBe(204);
    expect((await server.request('GET', '/api/v1/system', { token })).status).toBe(401);
    expect((await server.request('DELETE', `/api/v1/tokens/${id}`, { token: admin })).status).toBe(404);
    const audit = (await (
      await server.request('GET', '/api/v1/audit?limit=20', { token: admin })
    ).json()) as { entries: { action: string; target: string }[] };
    const actions = audit.entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'identity.api-token.created',
        'identity.api-token.revoked',
        'identity.user.signed-in',
        'identity.operator.created',
      ]),
    );
    expect(JSON.stringify(audit)).not.toContain(token);
    const verify = (await (await server.request('GET', '/api/v1/audit/verify', { token: admin })).json()) as {
      ok: boolean;
      entries: number;
    };
    expect(verify).toMatchObject({ ok: true });
    expect(verify.entries).toBeGreaterThanOrEqual(audit.entries.length);
  });

  it('serves the same OpenAPI document as the committed openapi.json', async () => {
    const served: unknown = await (await server.request('GET', '/docs/openapi.json')).json();
    const committed = JSON.parse(
      await readFile(new URL('../../../openapi.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(served).toEqual(committed);
  });

  it('serves the NOC at / and falls back to it for browser navigation only', async () => {
    const root = await server.request('GET', '/');
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('<title>Pakawaaz NOC</title>');
    expect(root.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const deep = await server.request('GET', '/system', { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(deep.headers.get('cache-control')).toBe('no-cache');
    const api = await server.request('GET', '/api/v1/unknown', { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });
});

describe('bootstrap token (first-run convenience)', () => {
  it('becomes a revocable super-admin API token when the data store is created, and is audited', async () => {
    const secret = 'bootstrap-e2e-0123456789abcdef0123456789';
    const server = await startTestServer({ PAKAWAAZ_BOOTSTRAP_TOKEN: secret });
    try {
      const created = await server.request('POST', '/api/v1/tokens', {
        token: secret,
        body: { name: 'ci', roles: ['network-admin'] },
      });
      expect(created.status).toBe(201);
      const audit = (await (
        await server.request('GET', '/api/v1/audit?action=identity.api-token.bootstrap-created', {
          token: secret,
        })
      ).json()) as { entries: { details: Record<string, unknown> }[] };
      expect(audit.entries).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(secret);
      const tokens = (await (await server.request('GET', '/api/v1/tokens', { token: secret })).json()) as {
        tokens: { id: string; name: string }[];
      };
      const bootstrap = tokens.tokens.find((t) => t.name === 'bootstrap');
      expect(
        (await server.request('DELETE', `/api/v1/tokens/${bootstrap?.id}`, { token: secret })).status,
      ).toBe(204);
      expect((await server.request('GET', '/api/v1/system', { token: secret })).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});

const nats = await serviceGate('NATS', testNatsUrl());

describe.skipIf(!nats)('production event bus', () => {
  it('runs on NATS JetStream when NATS_URL is set, and reports it', async () => {
    const server = await startTestServer({ NATS_URL: testNatsUrl() });
    try {
      const token = await server.adminToken();
      const status = (await (await server.request('GET', '/api/v1/system', { token })).json()) as {
        eventBus: { mode: string; status: string };
      };
      expect(status.eventBus).toMatchObject({ mode: 'nats', status: 'up' });
      expect(await (await server.request('GET', '/readyz')).json()).toMatchObject({
        checks: { eventBus: 'up' },
      });
    } finally {
      await server.stop();
    }
  });
});
