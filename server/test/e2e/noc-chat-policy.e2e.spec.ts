import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectNoProblems,
  launchChromium,
  openContext,
  signInAsAdminAt,
  startNocServer,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import type { TestServer } from '../support/test-server.js';

const MINISTRY = 'Ministry of Water (chat e2e)';

describe.skipIf(!chromiumAvailable('the NOC chat policy test'))(
  'NOC Secure chat page: a national admin sets a policy and a legal hold (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let ministryId = '';
    const problems: Problem[] = [];

    beforeAll(async () => {
      server = await startNocServer();
      const token = await server.adminToken();
      ministryId = (
        await server.json<{ id: string }>('POST', '/api/v1/institutions', { token, body: { name: MINISTRY } })
      ).id;
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('sets own-institution with a 14-day retention, then puts the ministry on hold', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await signInAsAdminAt(page, server, '/secure-chat');
      await visible(page.getByRole('heading', { name: 'Secure chat policies', level: 1 }));

      const form = page.getByRole('form', { name: 'Chat policy' });
      await form.getByLabel('Institution', { exact: true }).selectOption(ministryId);
      await form.getByLabel('Cross-institution chat').selectOption('own-institution');
      await form.getByLabel('Retention (days, 1–365)').fill('14');
      await form.getByRole('button', { name: 'Save policy' }).click();
      const row = page.getByRole('row').filter({ hasText: MINISTRY });
      await visible(row.getByText('Own institution only'));
      await visible(row.getByText('14 days'));

      const hold = page.getByRole('form', { name: 'Legal hold' });
      await hold.getByLabel('Legal hold reason (case or order reference)').fill('Case 9/2026');
      await hold.getByRole('button', { name: 'Put on hold' }).click();
      await visible(row.getByText('Case 9/2026', { exact: false }));
      const stored = await server.json<{ hold: { reason: string } | null; retentionDays: number }>(
        'GET',
        `/api/v1/chat/policies/${ministryId}`,
        { token: await server.adminToken() },
      );
      expect(stored).toMatchObject({ retentionDays: 14, hold: { reason: 'Case 9/2026' } });
      await page.context().close();
      expectNoProblems(problems);
    });
  },
);
