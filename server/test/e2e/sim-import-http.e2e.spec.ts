import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The SIM import route over real HTTP: the body is a stream that the handler reads after authentication
 * and authorisation, with the limits checked while it arrives (what is read before a refusal is measured in
 * core-network's medium test); a refused upload creates no job.
 */
let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ SIM_IMPORT_MAX_ROWS: '1000', SIM_IMPORT_MAX_BYTES: '2000000' });
  token = await server.adminToken();
});
afterAll(() => server?.stop());

const ROW =
  '001010000000001,8992001000000000001,00000000000000000000000000000000,00000000000000000000000000000000\n';

async function post(body: Buffer | string, auth = true) {
  const res = await fetch(`${server.url}/api/v1/sims/imports?filename=big.csv`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  return { status: res.status, json: (await res.json()) as { code?: string; message?: string } };
}

async function jobCount(): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/sims/imports`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return ((await res.json()) as { jobs: unknown[] }).jobs.length;
}

describe('POST /api/v1/sims/imports', () => {
  it('answers 401 to an unauthenticated upload', async () => {
    expect((await post(`imsi,iccid,ki,opc\n${ROW}`, false)).status).toBe(401);
  });

  it('refuses more rows than SIM_IMPORT_MAX_ROWS with 413 naming the limit, and creates no job', async () => {
    const before = await jobCount();
    const r = await post(`imsi,iccid,ki,opc\n${ROW.repeat(1_500)}`);
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('sim_import_too_large');
    expect(r.json.message).toContain('more than 1000 SIM rows (SIM_IMPORT_MAX_ROWS)');
    expect(await jobCount()).toBe(before);
  });

  it('refuses more bytes than SIM_IMPORT_MAX_BYTES with 413 naming the limit', async () => {
    const r = await post(`imsi,iccid,ki,opc\n${'# a long vendor comment\n'.repeat(100_000)}`);
    expect(r.status).toBe(413);
    expect(r.json.message).toContain('larger than 2000000 bytes (SIM_IMPORT_MAX_BYTES)');
  });

  it('answers 400 to a file without line breaks, naming the line limit', async () => {
    const r = await post(Buffer.alloc(1_500_000, 0x61));
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('invalid_sim_import');
    expect(r.json.message).toContain('Line 1 is longer than 1024 bytes');
  });

  it('accepts a valid file with 202 and a queued or running job', async () => {
    const r = await post(`imsi,iccid,ki,opc\n${ROW}`);
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ totalRows: 1 });
  });
});
