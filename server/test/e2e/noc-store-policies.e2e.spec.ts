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

const MINISTRY = 'Ministry of Ports (store policy e2e)';
const SMS = 'android.permission.READ_SMS';

describe.skipIf(!chromiumAvailable('the NOC store policy test'))(
  'NOC App store → Policies: the national policy is a floor (Debian chromium)',
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
      await server.json('PUT', '/api/v1/store/policies/national', {
        token,
        body: { permissionAllow: null, permissionDeny: [SMS], minTargetSdk: 33, allowCleartext: false },
      });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it("shows a weaker save's settings, then stores a stricter policy and its effective one", async () => {
      const { page } = await openContext(browser, server.url, problems);
      await signInAsAdminAt(page, server, '/store/policies');
      await visible(page.getByRole('heading', { name: 'Store policies', level: 1 }));
      await page.getByLabel('Policy of').selectOption(ministryId);
      const inForce = page.getByRole('table', { name: 'Store policy in force' });
      await visible(inForce.getByRole('columnheader', { name: 'Inherited' }));

      const form = page.getByRole('form', { name: 'Store policy' });
      await form.getByLabel('Denied permissions (one a line)').fill('');
      await form.getByLabel('Lowest target SDK').fill('30');
      await form.getByLabel('Allow cleartext HTTP').check();
      await form.getByRole('button', { name: 'Save policy' }).click();
      const refusal = form.getByRole('alert');
      await visible(refusal.getByText('Weaker than the national policy'));
      for (const label of ['Denied permissions', 'Lowest target SDK', 'Cleartext HTTP'])
        await visible(refusal.getByRole('listitem').filter({ hasText: label }));

      await form.getByLabel('Denied permissions (one a line)').fill(`${SMS}\nandroid.permission.CAMERA`);
      await form.getByLabel('Lowest target SDK').fill('34');
      await form.getByLabel('Allow cleartext HTTP').uncheck();
      await form.getByRole('button', { name: 'Save policy' }).click();
      await visible(inForce.getByRole('columnheader', { name: 'Its own' }));
      const sdk = inForce.getByRole('row').filter({ hasText: 'Lowest target SDK' });
      await visible(sdk.getByRole('cell', { name: '34' }).first());
      const stored = await server.json('GET', `/api/v1/store/policies/${ministryId}`, {
        token: await server.adminToken(),
      });
      expect(stored).toMatchObject({
        inherited: false,
        policy: { minTargetSdk: 34, permissionDeny: [SMS, 'android.permission.CAMERA'] },
        effective: { minTargetSdk: 34 },
      });
      await page.context().close();
      // The 422 the weaker save provoked.
      expectNoProblems(problems, (p) => p.kind === 'console' && p.text.includes('422'));
    });
  },
);
