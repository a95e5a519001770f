import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

beforeAll(() => ensureBuilt());

/*
 * `pakawaaz users import` as an operator runs it against the real server: a dry run, the import with its
 * per-line error and exit code, the codes in a private file that is never overwritten, and an official
 * enrolling with their code over HTTP and signing in to enrol an authenticator.
 */
describe('pakawaaz users import (CLI → HTTP → job → codes file)', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: await server.adminToken() };
    dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-import-cli-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('dry-runs, imports with progress and per-line errors, and writes the codes once to a private file', async () => {
    expect((await runCli(['institutions', 'add', '--name', 'Ministry of Interior'], env)).code).toBe(0);
    const lines = ['username,name,designation,institution,email,phone'];
    for (let i = 0; i < 200; i++) lines.push(`cli${i},CLI Official ${i},Officer,Ministry of Interior,,`);
    lines.push('cli-bad,Bad,,Ministry of Interior,nope,');
    const file = path.join(dir, 'officials.csv');
    await writeFile(file, lines.join('\n') + '\n');

    const dry = await runCli(['users', 'import', file, '--dry-run'], env);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(
      'would be created 200, would be updated 0, unchanged 0, invalid 1, of 201 rows',
    );
    expect(dry.stdout).toContain('line 202 (cli-bad): email is not an address');
    expect(dry.stderr).toContain('100% 201/201 rows');

    const real = await runCli(['users', 'import', file], env);
    expect(real.code).toBe(1);
    expect(real.stdout).toContain('created 200, updated 0, unchanged 0, invalid 1, of 201 rows');
    const codesFile = path.join(dir, 'officials.codes.csv');
    expect(real.stdout).toContain(`enrolment codes written to ${codesFile}`);
    expect((await stat(codesFile)).mode & 0o777).toBe(0o600);
    const codes = (await readFile(codesFile, 'utf8')).trimEnd().split('\n');
    expect(codes).toHaveLength(201);
    expect(codes.join('\n')).not.toContain('cli-bad');

    // Never overwritten: a second import refuses before it starts.
    const again = await runCli(['users', 'import', file], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('officials.codes.csv exists');

    const [username, code] = codes.find((l) => l.startsWith('cli7,'))!.split(',');
    const password = 'harbour-quartz-meadow-58';
    const enrol = await server.request('POST', '/api/v1/auth/enrol', { body: { username, code, password } });
    expect(enrol.status).toBe(200);
    const login = await server.request('POST', '/api/v1/auth/login', { body: { username, password } });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { status: string }).status).toBe('totp_enrolment_required');
    const reuse = await server.request('POST', '/api/v1/auth/enrol', { body: { username, code, password } });
    expect([reuse.status, ((await reuse.json()) as { code: string }).code]).toEqual([
      401,
      'enrolment_code_invalid',
    ]);
  }, 180_000);
});
