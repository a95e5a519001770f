import type { Page } from 'playwright-core';
import { startTestServer, type TestServer } from './test-server.js';

// The browser pieces every browser test shares (Chromium, profiles, problems; the web chat's pages) live in
// @pakawaaz/test-support/browser, since lab's tests drive the web chat too; the NOC's own helpers are here.
export * from '@pakawaaz/test-support/browser';

/** The NOC's sign-in form: fills and submits the password step. */
export async function submitPassword(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The real server with the built NOC (a browser test has nothing to open without it). */
export async function startNocServer(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  if (!server.nocServed) {
    await server.stop();
    throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed`.');
  }
  return server;
}

/** Opens `path` signed out, so the NOC sends the page to its sign-in; signs in as the admin and lands back on `path`. */
export async function signInAsAdminAt(page: Page, server: TestServer, path: string): Promise<void> {
  await page.goto(path);
  await page.waitForURL(`**/login?next=${encodeURIComponent(path)}`);
  await submitPassword(page, 'admin', server.adminPassword);
  await page.waitForURL(`**${path}`);
}
