import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../support/cli.js';
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

/*
 * The NOC's app store pages in a real browser against the real server and its real APK inspector: the admin
 * (super-admin, so a reviewer) creates a developer organisation and adds a developer picked by name; the
 * developer publishes AOSP apksig's golden-aligned-v1v2v3-out.apk with the real CLI; the admin reads it in
 * the review queue (uploader by name, apksigner's signer digest, the permission diff) and approves it with a
 * reason, and the Apps page shows the version approved.
 */
const FIXTURES = fileURLToPath(new URL('../../../protocols/apk/test/fixtures/', import.meta.url));
const APK = `${FIXTURES}golden-aligned-v1v2v3-out.apk`;
const PACKAGE = 'android.appsecurity.cts.tinyapp';
// apksigner's SHA-256 of the corpus signer (as in store-publish-verified.e2e.spec.ts).
const RSA1 = 'fb5dbd3c669af9fc236c6991e6387b7f11ff0590997f22d0f5c74ff40e04fca8';
const DEV = {
  username: 'farah.siddiqui',
  displayName: 'Farah Siddiqui',
  password: 'cobalt-meadow-lantern-42',
};
const DEV_NEW_PASSWORD = 'saffron-harbour-violet-58';
const ORG = 'Tinyapp Vendor (store e2e)';

describe.skipIf(!chromiumAvailable('the NOC app store browser test'))(
  'NOC app store pages in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let dir: string;
    const problems: Problem[] = [];

    /** The developer's access token over the API (a first password set by an admin is changed first). */
    const developerToken = () => server.signIn(DEV.username, DEV.password, DEV_NEW_PASSWORD);

    beforeAll(async () => {
      ensureBuilt();
      dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-store-'));
      server = await startTestServer({
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks'),
      });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      const token = await server.adminToken();
      await server.json('POST', '/api/v1/users', {
        token,
        body: { kind: 'operator', ...DEV, roles: ['developer'] },
      });
      // The corpus app targets an old SDK: a lenient national policy, so its upload has no findings to block
      // the approval (findings are fixed at upload).
      await server.json('PUT', '/api/v1/store/policies/national', {
        token,
        body: { permissionAllow: null, permissionDeny: [], minTargetSdk: 1, allowCleartext: true },
      });
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('a reviewer creates a developer organisation and adds a developer chosen by name', async () => {
      await page.goto('/store/apps');
      await page.waitForURL('**/login?next=%2Fstore%2Fapps');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/store/apps');
      await visible(page.getByRole('heading', { name: 'Apps', level: 1 }));
      await visible(page.getByText('No apps yet.'));
      const nav = page.getByRole('navigation', { name: 'Domains' });
      await visible(nav.getByRole('link', { name: 'Reviews' }));

      const create = page.getByRole('form', { name: 'New developer organisation' });
      await create.getByLabel('Name').fill(ORG);
      await create.getByRole('button', { name: 'Create organisation' }).click();
      const orgs = page.getByRole('table', { name: 'Developer organisations' });
      const row = orgs.getByRole('row').filter({ hasText: ORG });
      await visible(row.getByText('vendor (national)'));

      await row.getByRole('button', { name: `Add a developer to ${ORG}` }).click();
      const add = page.getByRole('form', { name: `Add a developer to ${ORG}` });
      await add.getByLabel('Person').fill('Farah');
      await page.getByRole('option', { name: /Farah Siddiqui/ }).click();
      await add.getByRole('button', { name: 'Add developer' }).click();
      await visible(add.getByText(`Added ${DEV.displayName}; 1 member(s) in ${ORG}.`));
    });

    it('the developer publishes a real APK and the reviewer approves it from the queue', async () => {
      const published = await runCli(['store', 'publish', APK, '--track', 'pilot'], {
        PAKAWAAZ_URL: server.url,
        PAKAWAAZ_TOKEN: await developerToken(),
      });
      expect(published.code, published.stderr).toBe(0);

      await page.goto('/store/reviews');
      await visible(page.getByRole('heading', { name: 'App reviews', level: 1 }));
      const card = page.getByRole('article', { name: new RegExp(`^${PACKAGE.replaceAll('.', '\\.')} `) });
      await visible(card);
      await visible(card.getByText(ORG));
      await visible(card.getByText(DEV.displayName));
      const signer = card.getByTitle(RSA1);
      expect(await signer.innerText()).toBe(`${RSA1.slice(0, 16)}…`);
      await visible(card.getByText('0 of 1 approval'));
      await visible(card.getByText('None.')); // no policy findings
      // A first version: whatever it requests is added; the queue reads the server's diff.
      const diff = card.getByLabel(`Permissions of ${PACKAGE}`);
      await visible(diff);

      // The reason is required: the submit button stays disabled until one is typed.
      await card
        .getByRole('button', { name: new RegExp(`^Approve ${PACKAGE.replaceAll('.', '\\.')}`) })
        .click();
      const form = card.getByRole('form', { name: new RegExp(`^Approve ${PACKAGE.replaceAll('.', '\\.')}`) });
      const submit = form.getByRole('button', { name: 'Approve version' });
      expect(await submit.isDisabled()).toBe(true);
      await form.getByLabel('Reason (recorded and audited)').fill('Corpus app, no permissions of concern');
      await submit.click();
      await visible(page.getByText('No version is waiting for review.'));

      await page.goto('/store/apps');
      const app = page.getByRole('region', { name: PACKAGE });
      await visible(app.getByRole('table', { name: `Versions of ${PACKAGE}` }).getByText('approved'));
      await visible(app.getByText(ORG));
      expectNoProblems(problems);
    });
  },
);
