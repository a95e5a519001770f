import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { code: string; message: string; requestId: string; details?: { path: string }[] };

let server: TestServer;
let admin: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.adminToken();
});

afterAll(async () => {
  await server?.stop();
});

async function expectRefused(res: Response, status: number, code: string, path?: string): Promise<void> {
  const body = (await res.json()) as ErrorBody;
  expect({ status: res.status, code: body.code }).toEqual({ status, code });
  if (path !== undefined) expect(body.details?.[0]?.path).toBe(path);
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
}

describe('control characters in any input', () => {
  it('are refused with 400 invalid_characters naming the field, in the body, the query and the path', async () => {
    // NUL in a JSON string went into a query and came back as a 500 (PostgreSQL refuses NUL in text).
    await expectRefused(
      await server.request('POST', '/api/v1/auth/login', {
        body: { username: 'ad\u0000min', password: 'x' },
      }),
      400,
      'invalid_characters',
      'body.username',
    );
    await expectRefused(
      await server.request('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'fatima', displayName: 'Fatima \u001b[31mRed', password: 'Correct-Horse-77' },
      }),
      400,
      'invalid_characters',
      'body.displayName',
    );
    await expectRefused(
      await server.request('POST', '/api/v1/auth/login', {
        body: '{"username":"admin","password":"x","a\\u0000":1}',
      }),
      400,
      'invalid_characters',
      'body.a\\u0000',
    );
    await expectRefused(
      await server.request('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'fatima', displayName: 'F', password: 'p', roles: ['ok', 'x\u0007'] },
      }),
      400,
      'invalid_characters',
      'body.roles[1]',
    );
    await expectRefused(
      await server.request('GET', '/api/v1/users?search=ab%00cd', { token: admin }),
      400,
      'invalid_characters',
      'query.search',
    );
    await expectRefused(
      await server.request('GET', '/api/v1/users/%00', { token: admin }),
      400,
      'invalid_characters',
      'params.id',
    );
  });

  it('lets tab, line feed and carriage return through in JSON text', async () => {
    const res = await server.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: 'not\tthe\r\npassword' },
    });
    expect(res.status).toBe(401);
  });
});

describe('Content-Encoding', () => {
  it('is refused with 415 unless it is identity, before the body is read', async () => {
    const json = JSON.stringify({ username: 'admin', password: server.adminPassword });
    for (const coding of ['gzip', 'br', 'deflate', 'x-custom', 'identity, gzip']) {
      await expectRefused(
        await server.request('POST', '/api/v1/auth/login', {
          body: coding === 'gzip' ? gzipSync(json).toString('latin1') : json,
          headers: { 'content-encoding': coding },
        }),
        415,
        'unsupported_content_encoding',
      );
    }
    // The CSV import would otherwise store compressed bytes as if they were the vendor's file.
    const csv = await fetch(`${server.url}/api/v1/sims/imports?filename=batch.csv`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/csv', 'content-encoding': 'gzip' },
      body: gzipSync('imsi,iccid,ki,opc\n'),
    });
    await expectRefused(csv, 415, 'unsupported_content_encoding');
    const identity = await server.request('POST', '/api/v1/auth/login', {
      body: json,
      headers: { 'content-encoding': 'identity' },
    });
    expect(identity.status).toBe(200);
  });
});

describe('ids in the path', () => {
  it('that cannot be a uuid are a plain not-found, never a database error', async () => {
    // 36 dashes matched the old `[0-9a-f-]{36}` check and reached PostgreSQL, which refuses it: a 500.
    const dashes = '-'.repeat(36);
    await expectRefused(
      await server.request('GET', `/api/v1/users/${dashes}`, { token: admin }),
      404,
      'user_not_found',
    );
    await expectRefused(
      await server.request('GET', `/api/v1/sims/imports/${dashes}`, { token: admin }),
      404,
      'sim_import_not_found',
    );
  });
});
