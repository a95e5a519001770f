import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  STEP_MS,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SCREENSHOT = process.env.PAKAWAAZ_NOC_SCREENSHOT ?? '/tmp/noc-system.png';

/** The cells of the Domains table row whose row header is `name`, as text. */
async function domainRow(page: Page, name: string): Promise<string[]> {
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await visible(row);
  return (await row.locator('th, td').allInnerTexts()).map((t) => t.trim());
}

describe.skipIf(!chromiumAvailable('the NOC browser tests'))(
  'NOC in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const problems: Problem[] = [];

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error(
          'The NOC is not built (noc/dist/index.html is missing): run `node scripts/build.mjs --if-needed` first.',
        );
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('redirects to sign-in and refuses a wrong password with an alert', async () => {
      await page.goto('/');
      await page.waitForURL('**/login');
      await visible(page.getByRole('heading', { name: 'Operator sign-in' }));

      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();

      const alert = page.getByRole('alert');
      await expect.poll(() => alert.innerText(), { timeout: STEP_MS }).toMatch(/\S/);
      expect(await alert.innerText()).toContain('Wrong username or password.');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.getByLabel('Password').inputValue()).toBe('');
    });

    it('signs in and shows the System page: embedded database and the domains with their status', async () => {
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(server.adminPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();

      await page.waitForURL('**/system');
      await visible(page.getByRole('heading', { name: 'System', level: 1 }));
      const database = page.getByRole('region', { name: 'Database' });
      await visible(database.getByText('embedded', { exact: true }));
      expect(await database.getByText('up', { exact: true }).count()).toBe(1);
      // No dead letters.
      await visible(page.getByRole('region', { name: 'Event bus' }).getByText('none', { exact: true }));
      // Columns: Domain, Status, Health, Schema, Migrations.
      const identity = await domainRow(page, 'identity');
      expect(identity.slice(0, 3)).toEqual(['identity', 'running', 'up']);
      const coreNetwork = await domainRow(page, 'core-network');
      expect(coreNetwork.slice(0, 3)).toEqual(['core-network', 'running', 'up']);
      // The newest domain, secure chat, runs too (a planned one would say so, its schema "schema ready").
      expect((await domainRow(page, 'secure-chat')).slice(0, 3)).toEqual(['secure-chat', 'running', 'up']);
      await expect
        .poll(() => page.getByLabel('Signed-in operator').innerText(), { timeout: STEP_MS })
        .toMatch(/\badmin\b/);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    });

    it('shows the sign-in in the audit log and verifies the hash chain', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await page.waitForURL('**/audit');
      await visible(page.getByRole('heading', { name: 'Audit log', level: 1 }));
      await visible(page.getByRole('cell', { name: 'identity.user.signed-in' }).first());

      await page.getByRole('button', { name: 'Verify chain' }).click();
      await visible(page.getByRole('status').getByText(/Chain intact/));
      expect(await page.getByText(/Chain broken/).count()).toBe(0);
    });

    it('serves a deep link to /system (SPA fallback) and keeps the session until sign-out', async () => {
      const response = await page.goto('/system');
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-type']).toMatch(/^text\/html/);
      await visible(page.getByRole('heading', { name: 'System', level: 1 }));
      await visible(page.getByRole('region', { name: 'Database' }).getByText('embedded', { exact: true }));

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/login');
      await visible(page.getByRole('button', { name: 'Sign in', exact: true }));
      // The token is gone: a reload stays on the sign-in page.
      await page.reload();
      await page.waitForURL(/\/login(\?|$)/);
      await visible(page.getByRole('button', { name: 'Sign in', exact: true }));
    });

    it('logged no console errors, page errors or CSP violations', () => {
      // The one expected error: Chromium logs the refused wrong-password sign-in (HTTP 401) as a failed resource.
      const refusedLogin = (p: Problem) =>
        p.kind === 'console' && p.url === `${server.url}/api/v1/auth/login` && p.text.includes('401');
      expect(problems.filter(refusedLogin)).toHaveLength(1);
      expect(problems.filter((p) => !refusedLogin(p))).toEqual([]);
    });
  },
);
