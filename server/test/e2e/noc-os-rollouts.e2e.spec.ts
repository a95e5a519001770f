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
 * OS rollouts on the NOC's Hardened OS page in a real browser: a super-admin sees a rollout's stages and its
 * progress per ring, pauses and resumes it, and halts it with a reason (shown on the page, audited); a
 * national viewer sees the same rollout without the buttons. The ring set for an institution is shown by name.
 * An institution's device-admin finds the rollouts under Devices → OS rollouts, read-only.
 */
const MINISTRY = 'Ministry of Pilots (os rollouts e2e)';
const VIEWER = { username: 'e2e-os-viewer', password: 'cobalt-meadow-lantern-41' };
const MINISTRY_ADMIN = { username: 'e2e-os-ministry-admin', password: 'amber-quarry-violin-62' };
const BUILD = 'BP1A.250105.004';

describe.skipIf(!chromiumAvailable('the NOC OS rollouts browser test'))(
  'NOC OS rollouts in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let token: string;
    let rolloutId = '';
    const problems: Problem[] = [];

    const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
      server.json<T>(method, p, { token: token, body });

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      token = await server.adminToken();
      const ministry = await api<{ id: string }>('POST', '/api/v1/institutions', { name: MINISTRY });
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        username: VIEWER.username,
        displayName: VIEWER.username,
        password: VIEWER.password,
        roles: ['viewer'],
      });
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        ...MINISTRY_ADMIN,
        displayName: 'Ministry device admin',
        institution: MINISTRY,
        roles: ['device-admin'],
      });
      await api('POST', '/api/v1/os/models', {
        codename: 'shiba',
        manufacturer: 'Google',
        name: 'Pixel 8',
        strongBox: true,
      });
      const release = await api<{ id: string }>('POST', '/api/v1/os/releases', {
        model: 'shiba',
        buildId: BUILD,
        fingerprint: `google/shiba/shiba:15/${BUILD}/1:user/release-keys`,
        version: '15',
        securityPatchLevel: '2025-01-05',
        channel: 'stable',
      });
      const rings = await api<{ rings: { institutionName: string | null; ring: string }[] }>(
        'PUT',
        `/api/v1/os/rings/${ministry.id}`,
        { ring: 'pilot' },
      );
      expect(rings.rings).toContainEqual(
        expect.objectContaining({ institutionName: MINISTRY, ring: 'pilot' }),
      );
      rolloutId = (await api<{ id: string }>('POST', '/api/v1/os/rollouts', { releaseId: release.id })).id;
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('a super-admin sees the stages and progress per ring, pauses, resumes and halts with a reason', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/hardened-os');
      await page.waitForURL('**/login?next=%2Fhardened-os');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/hardened-os');
      const card = page.getByRole('article', { name: `Rollout of ${BUILD} for shiba` });
      await visible(card);
      await visible(card.getByText('running', { exact: true }));
      await visible(card.getByText('stage 1 of 7: pilot 100%', { exact: false }));
      const stages = card.getByRole('list', { name: 'Stages of the shiba rollout' });
      expect(await stages.getByRole('listitem').count()).toBe(7);
      const pilot = card.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'pilot' }) });
      expect(await pilot.innerText()).toMatch(/pilot\s+0\s+0\s+0/);

      const name = `the shiba rollout of ${BUILD}`;
      await card.getByRole('button', { name: `Pause ${name}` }).click();
      await card
        .getByRole('group', { name: `Pause ${name}` })
        .getByRole('button', { name: 'Pause it' })
        .click();
      await visible(card.getByText('paused', { exact: true }));
      await card.getByRole('button', { name: `Resume ${name}` }).click();
      await card
        .getByRole('group', { name: `Resume ${name}` })
        .getByRole('button', { name: 'Resume it' })
        .click();
      await visible(card.getByText('running', { exact: true }));
      // Below the failure threshold (no outcomes yet): the next stage starts at once.
      await card.getByRole('button', { name: `Advance ${name}`, exact: true }).click();
      await card
        .getByRole('group', { name: `Advance ${name}` })
        .getByRole('button', { name: 'Advance it' })
        .click();
      await visible(card.getByText('stage 2 of 7: early 10%', { exact: false }));

      await card.getByRole('textbox', { name: `Why halt ${name}` }).fill('boot loop on the pilot handsets');
      await card.getByRole('button', { name: `Halt ${name}` }).click();
      await card
        .getByRole('group', { name: `Halt ${name}` })
        .getByRole('button', { name: 'Halt it' })
        .click();
      await visible(card.getByRole('alert').getByText('boot loop on the pilot handsets'));
      expect(await card.getByRole('button', { name: `Resume ${name}` }).count()).toBe(0);
      const r = await api<{ state: string; haltReason: string }>('GET', `/api/v1/os/rollouts/${rolloutId}`);
      expect([r.state, r.haltReason]).toEqual(['halted', 'boot loop on the pilot handsets']);
      const audit = await api<{ entries: { target: string; details: Record<string, unknown> }[] }>(
        'GET',
        '/api/v1/audit?action=hardened-os.rollout.halted',
      );
      expect(audit.entries[0]).toMatchObject({
        target: `os-rollout:${rolloutId}`,
        details: { automatic: false, reason: 'boot loop on the pilot handsets' },
      });
      await page.context().close();
    });

    it('a national viewer sees the rollout and its halt reason, without buttons', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, VIEWER.username, VIEWER.password);
      await page.waitForURL('**/system');
      await page.goto('/hardened-os');
      const card = page.getByRole('article', { name: `Rollout of ${BUILD} for shiba` });
      await visible(card.getByText('boot loop on the pilot handsets', { exact: false }));
      expect(await card.getByRole('button').count()).toBe(0);
      await page.context().close();
    });

    it("an institution's device-admin sees the rollouts under Devices → OS rollouts, read-only", async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, MINISTRY_ADMIN.username, MINISTRY_ADMIN.password);
      await page.waitForURL('**/devices');
      expect(await page.getByRole('link', { name: 'Hardened OS' }).count()).toBe(0);
      await page.getByRole('link', { name: 'OS rollouts' }).click();
      await page.waitForURL('**/devices/os-rollouts');
      const card = page.getByRole('article', { name: `Rollout of ${BUILD} for shiba` });
      await visible(card.getByText('counts: your institutions’ handsets', { exact: false }));
      // The fleet-wide reason is the national operators'; the institution reads that it was halted.
      await visible(card.getByText('halted by a national operator', { exact: false }));
      expect(await card.getByRole('button').count()).toBe(0);
      await page.context().close();
    });

    it('no page asked the server for something it refuses: no 403, no console error', () => {
      expect(problems).toEqual([]);
    });
  },
);
