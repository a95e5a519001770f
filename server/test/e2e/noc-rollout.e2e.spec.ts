import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * The Rollout page in a real browser: the plan (what each phase enables, institutions per phase) and the
 * super-admin's "Move to next phase" behind a confirmation, which the server audits with from and to. A
 * national viewer sees the plan and is told why there is no button.
 */
const MINISTRY = 'Ministry of Water (rollout e2e)';
const VIEWER = { username: 'e2e-rollout-viewer', password: 'lotus-granite-ember-58' };

describe.skipIf(!chromiumAvailable('the NOC rollout browser test'))(
  'NOC Rollout page in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let token: string;
    let ministryId = '';
    const problems: Problem[] = [];

    const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
      server.json<T>(method, p, { token: token, body });

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      token = await server.adminToken();
      ministryId = (await api<{ id: string }>('POST', '/api/v1/institutions', { name: MINISTRY })).id;
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        username: VIEWER.username,
        displayName: VIEWER.username,
        password: VIEWER.password,
        roles: ['viewer'],
      });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('a super-admin sees the plan and moves an institution to the next phase after confirming', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/rollout');
      await page.waitForURL('**/login?next=%2Frollout');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/rollout');
      await visible(page.getByRole('heading', { name: 'Rollout', level: 1 }));

      const phases = page.getByRole('region', { name: 'Phases' });
      const pilot = phases.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'pilot' }) });
      await visible(pilot);
      expect(await pilot.innerText()).toContain('sim-sign-in');
      const federal = phases.getByRole('row').filter({
        has: page.getByRole('rowheader', { name: 'federal ministries' }),
      });
      expect(await federal.getByRole('cell').first().innerText()).toBe('chat');
      const pilotCount = Number(await pilot.getByRole('cell').last().innerText());
      expect(pilotCount).toBeGreaterThanOrEqual(1);

      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: MINISTRY }) });
      await visible(row);
      expect(await row.innerText()).toContain('pilot');
      await row.getByRole('button', { name: `Move ${MINISTRY} to the next phase` }).click();
      const confirm = row.getByRole('group', { name: `Move ${MINISTRY} to the next phase` });
      await visible(
        confirm.getByText(`from pilot to federal ministries? Its officials get chat in addition.`),
      );
      await confirm.getByRole('button', { name: 'Move to federal ministries' }).click();

      await visible(row.getByText('federal ministries', { exact: true }));
      await expect
        .poll(async () => Number(await pilot.getByRole('cell').last().innerText()))
        .toBe(pilotCount - 1);
      const inst = await api<{ rolloutPhase: string }>('GET', `/api/v1/institutions/${ministryId}`);
      expect(inst.rolloutPhase).toBe('federal-ministries');
      const audit = await api<{ entries: { target: string; details: Record<string, unknown> }[] }>(
        'GET',
        '/api/v1/audit?action=identity.institution.rollout-phase-changed',
      );
      expect(audit.entries[0]).toMatchObject({
        target: `institution:${ministryId}`,
        details: { from: 'pilot', to: 'federal-ministries' },
      });
      await page.context().close();
    });

    it('a national viewer sees the plan but no move button, and is told why', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, VIEWER.username, VIEWER.password);
      await page.waitForURL('**/system');
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Rollout', exact: true })
        .click();
      await visible(page.getByRole('rowheader', { name: MINISTRY }));
      await visible(page.getByText('Moving institutions: needs the super-admin role.'));
      expect(await page.getByRole('button', { name: /to the next phase$/ }).count()).toBe(0);
      await page.context().close();
    });

    it('no page asked the server for something it refuses: no 403, no console error', () => {
      expect(problems).toEqual([]);
    });
  },
);
