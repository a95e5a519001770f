import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { reachable, requireServices } from '@pakawaaz/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

const JANUS = '/usr/bin/janus';
if (!existsSync(JANUS) && requireServices())
  throw new Error('janus is not installed (apt-get install janus) and PAKAWAAZ_REQUIRE_SERVICES is set');

type Health = { status: string; features: Record<string, { state: string; detail: string | null }> };

async function healthOf(server: TestServer): Promise<Health> {
  return (await (await fetch(`${server.url}/healthz`)).json()) as Health;
}

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/*
 * The embedded default: a server that finds Debian's janus starts it on loopback, registers it as the media
 * host `embedded` and says calls are enabled; operators manage media hosts from the CLI; without janus,
 * /healthz says calls are disabled and why, and everything else works.
 */
describe.skipIf(!existsSync(JANUS))('calls with the embedded Janus', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    ensureBuilt();
    server = await startTestServer({ PAKAWAAZ_JANUS: 'auto', PAKAWAAZ_CALLS_HEALTH_SECONDS: '1' });
    const token = (
      await runCli(
        ['login', '--username', 'admin', '--password-stdin'],
        { PAKAWAAZ_URL: server.url },
        TEST_ADMIN_PASSWORD,
      )
    ).stdout.trim();
    env = { PAKAWAAZ_URL: server.url, PAKAWAAZ_TOKEN: token };
    dir = await mkdtemp(path.join(tmpdir(), 'pkz-calls-'));
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts Janus, registers it and says calls are enabled in /healthz and the CLI', async () => {
    await until(async () => (await healthOf(server)).features['calls']?.state === 'enabled');
    const status = await runCli(['calls', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('calls: available');
    expect(status.stdout).toContain('embedded Janus: running');
    expect(status.stdout).toContain('TURN: not configured');
    const list = await runCli(['calls', 'hosts', 'list', '--json'], env);
    const { hosts } = JSON.parse(list.stdout) as { hosts: { name: string; health: string; wsUrl: string }[] };
    expect(hosts).toEqual([expect.objectContaining({ name: 'embedded', health: 'up', embedded: true })]);
    expect(hosts[0]!.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(await reachable(hosts[0]!.wsUrl)).toBe(true);
  });

  it("lets a national media admin end any call by id (the route is there and checks the id's call)", async () => {
    const token = await server.adminToken();
    const res = await server.request('POST', `/api/v1/calls/${randomUUID()}/end`, { token });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'call_not_found' });
    expect((await server.request('POST', '/api/v1/calls/not-a-uuid/end', { token })).status).toBe(400);
  });

  it('adds a media host only with its admin secret, lists it without the secret, and removes it', async () => {
    const config = await readFile(path.join(server.dataDir, 'janus', 'janus.jcfg'), 'utf8');
    const secret = /admin_secret = "([0-9a-f]+)"/.exec(config)![1]!;
    const http = await readFile(path.join(server.dataDir, 'janus', 'janus.transport.http.jcfg'), 'utf8');
    const adminUrl = `http://127.0.0.1:${/admin_port = (\d+)/.exec(http)![1]}/admin`;
    const ws = `ws://127.0.0.1:${/ws_port = (\d+)/.exec(await readFile(path.join(server.dataDir, 'janus', 'janus.transport.websockets.jcfg'), 'utf8'))![1]}`;
    const wrong = path.join(dir, 'wrong');
    const right = path.join(dir, 'right');
    await writeFile(wrong, 'not-the-admin-secret-of-janus\n');
    await writeFile(right, `${secret}\n`);
    const args = ['calls', 'hosts', 'add', '--name', 'janus-two', '--ws-url', ws, '--admin-url', adminUrl];
    const refused = await runCli([...args, '--admin-secret-file', wrong], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('media_host_unreachable');
    const added = await runCli([...args, '--admin-secret-file', right, '--capacity', '3'], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^registered janus-two \(/);
    const list = await runCli(['calls', 'hosts', 'list', '--json'], env);
    expect(list.stdout).not.toContain(secret);
    expect(list.stdout).toContain('"janus-two"');
    const removed = await runCli(['calls', 'hosts', 'remove', 'janus-two'], env);
    expect(removed.code).toBe(0);
    const again = await runCli(['calls', 'hosts', 'remove', 'janus-two'], env);
    expect(again.stderr).toContain('media_host_not_found');
  });

  it.skipIf(!chromiumAvailable('the NOC Calls page test'))(
    'shows calls available and the embedded host up on the NOC Calls page (Debian chromium)',
    async () => {
      const problems: Problem[] = [];
      const browser = await launchChromium();
      try {
        const { page } = await openContext(browser, server.url, problems);
        await page.goto('/calls');
        await page.waitForURL('**/login?next=%2Fcalls');
        await submitPassword(page, 'admin', TEST_ADMIN_PASSWORD);
        await page.waitForURL('**/calls');
        await visible(page.getByRole('heading', { name: 'Calls', level: 1 }));
        await visible(page.getByText('available', { exact: true }));
        const row = page.getByRole('row').filter({ hasText: 'embedded (embedded)' });
        await visible(row.getByText('up', { exact: true }));
        expect(await row.innerText()).toContain('1.1.2');
        await visible(page.getByText('not configured', { exact: true }));
        await visible(page.getByRole('heading', { name: 'History', level: 2 }));
        await visible(page.getByText('No calls.', { exact: true }));
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );

  it('prints the call records (none yet) and refuses a bad filter', async () => {
    const none = await runCli(['calls', 'history'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('no calls\n');
    const bad = await runCli(['calls', 'history', '--outcome', 'exploded'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('validation_failed');
  });

  it('stops Janus with the server', async () => {
    const list = await runCli(['calls', 'hosts', 'list', '--json'], env);
    const ws = (JSON.parse(list.stdout) as { hosts: { wsUrl: string }[] }).hosts[0]!.wsUrl;
    await server.stop();
    expect(await reachable(ws)).toBe(false);
  });
});

describe('calls without Janus', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ PAKAWAAZ_JANUS: 'auto', PAKAWAAZ_JANUS_BINARY: '/nonexistent/janus' });
  }, 120_000);
  afterAll(() => server?.stop());

  it('says calls are disabled and why in /healthz; everything else works', async () => {
    await until(async () => (await healthOf(server)).features['calls'] !== undefined);
    const health = await healthOf(server);
    expect(health.status).toBe('ok');
    expect(health.features['calls']).toEqual({
      state: 'disabled',
      detail: 'calls disabled: no media host (no /nonexistent/janus binary (apt-get install janus))',
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const token = await server.adminToken();
    const status = await server.json<{ calls: string; reason: string }>('GET', '/api/v1/calls/status', {
      token,
    });
    expect(status).toMatchObject({ calls: 'disabled' });
    expect(status.reason).toContain('apt-get install janus');
  });
});
