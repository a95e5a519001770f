import type { Page } from 'playwright-core';

// The browser pieces every browser test shares (Chromium, profiles, problems; the web chat's pages) live in
// @pakawaaz/test-support/browser, since lab's tests drive the web chat too; the NOC's own helpers are here.
export * from '@pakawaaz/test-support/browser';

/** The NOC's sign-in form: fills and submits the password step. */
export async function submitPassword(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
