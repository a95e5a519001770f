import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  coturnAvailable,
  freeTcpPort,
  requireServices,
  startCoturn,
  type Coturn,
} from '@pakawaaz/test-support';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectNoProblems,
  launchChromium,
  openContext,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

if (!coturnAvailable() && requireServices())
  throw new Error('coturn is not installed (apt-get install coturn) and PAKAWAAZ_REQUIRE_SERVICES is set');

const VIEWER = { username: 'e2e-calls-viewer', password: 'granite-harbour-lamp-31' };
const CHAT_ADMIN = { username: 'e2e-calls-chat-admin', password: 'velvet-compass-river-58' };

type Health = { features: Record<string, { state: string; detail: string | null }> };

/*
 * The NOC Calls page's TURN panel against the built server probing a real coturn every second: a national
 * viewer sees the server up with its round trip, down with the problem in plain words once coturn is killed,
 * and up again after a restart; /healthz's `turn` line follows. An institution's chat-admin finds Calls in
 * the menu and sees the History only (the national parts are not even requested: no 403 in the console).
 */
describe.skipIf(!coturnAvailable() || !chromiumAvailable('the NOC Calls TURN panel test'))(
  'NOC Calls page: TURN servers panel and who sees the page (Debian chromium, coturn)',
  () => {
    const secret = randomBytes(24).toString('hex');
    const problems: Problem[] = [];
    let dir: string;
    let port: number;
    let coturn: Coturn;
    let server: TestServer;
    let browser: Browser;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-turn-'));
      await writeFile(path.join(dir, 'turn-secret'), `${secret}\n`, { mode: 0o600 });
      port = await freeTcpPort();
      coturn = await startCoturn({ port, secret, dir });
      server = await startTestServer({
        PAKAWAAZ_TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`,
        PAKAWAAZ_TURN_SECRET_FILE: path.join(dir, 'turn-secret'),
        PAKAWAAZ_TURN_PROBE_SECONDS: '1',
      });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed`.');
      const token = await server.adminToken();
      const ministry = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
        token,
        body: { name: 'Ministry of Calls (e2e)' },
      });
      const operator = (u: { username: string; password: string }, roles: string[], institution?: string) =>
        server.json('POST', '/api/v1/users', {
          token,
          body: {
            kind: 'operator',
            username: u.username,
            displayName: u.username,
            password: u.password,
            roles,
            ...(institution ? { institution } : {}),
          },
        });
      await operator(VIEWER, ['viewer']);
      await operator(CHAT_ADMIN, ['chat-admin'], ministry.id);
      browser = await launchChromium();
    }, 60_000);

    afterEach(() => expectNoProblems(problems));

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      await coturn?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    const turnRow = (page: Page) =>
      page
        .getByRole('region', { name: 'TURN servers' })
        .getByRole('row')
        .filter({ hasText: `127.0.0.1:${port}` });
    const turnHealth = async () =>
      ((await (await fetch(`${server.url}/healthz`)).json()) as Health).features['turn'];

    it('shows the TURN server up, down with the reason, then up again', async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, VIEWER.username, VIEWER.password);
      await page.waitForURL('**/system');
      await page.getByRole('navigation', { name: 'Domains' }).getByRole('link', { name: 'Calls' }).click();
      await page.waitForURL('**/calls');
      await visible(turnRow(page).getByText('up', { exact: true }));
      await visible(turnRow(page).getByText(/^\d+ ms$/));
      expect(await turnHealth()).toMatchObject({ state: 'enabled' });

      await coturn.stop();
      await turnRow(page).getByText('down', { exact: true }).waitFor({ timeout: 30_000 });
      await visible(turnRow(page).getByText(/no STUN answer/));
      expect(await turnHealth()).toEqual({
        state: 'disabled',
        // Public: counts only, never the server or the reason.
        detail: '0 of 1 TURN servers up, 0 degraded, 1 down',
      });

      coturn = await startCoturn({ port, secret, dir });
      await turnRow(page).getByText('up', { exact: true }).waitFor({ timeout: 30_000 });
      await context.close();
    }, 90_000);

    it("lists Calls for an institution's chat-admin, with the History only", async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await page.goto('/calls');
      await page.waitForURL('**/login?next=%2Fcalls');
      await submitPassword(page, CHAT_ADMIN.username, CHAT_ADMIN.password);
      await page.waitForURL('**/calls');
      await visible(page.getByRole('navigation', { name: 'Domains' }).getByRole('link', { name: 'Calls' }));
      await visible(page.getByRole('heading', { name: 'History', level: 2 }));
      await page.waitForLoadState('networkidle');
      expect(await page.getByRole('heading', { name: 'TURN servers' }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Media hosts' }).count()).toBe(0);
      await context.close();
    }, 60_000);
  },
);
