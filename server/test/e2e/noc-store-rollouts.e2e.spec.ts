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
 * The NOC's app rollout pages in a real browser against the real server, device management bound (the
 * default composition), so rollouts are allowed; the fleet is empty, so every figure is 0. A developer
 * publishes AOSP apksig's golden APK on the stable track with the real CLI and the admin (super-admin, so a
 * reviewer) approves it over the API; then, in the NOC: starts a rollout by app, version and institution
 * name, sees it in the list and its detail, is refused a second one in words, widens, pauses, resumes and
 * halts it, and finally kills the version from the Apps page, which halts the rollout started after.
 */
const FIXTURES = fileURLToPath(new URL('../../../protocols/apk/test/fixtures/', import.meta.url));
const APK = `${FIXTURES}golden-aligned-v1v2v3-out.apk`;
const PACKAGE = 'android.appsecurity.cts.tinyapp';
const DEV = { username: 'imran.qureshi', displayName: 'Imran Qureshi', password: 'amber-willow-compass-31' };
const DEV_NEW_PASSWORD = 'granite-orchid-ember-64';
const MINISTRY = 'Ministry of Railways (rollouts e2e)';
const OTHER = 'Ministry of Water (rollouts e2e)';

describe.skipIf(!chromiumAvailable('the NOC app rollouts browser test'))(
  'NOC app rollouts and the kill switch in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let dir: string;
    let token: string;
    let version: { id: string; versionCode: number; versionName: string | null };
    const problems: Problem[] = [];

    const api = async <T>(method: string, url: string, body?: unknown): Promise<T> =>
      server.json<T>(method, url, { token, ...(body === undefined ? {} : { body }) });

    const developerToken = () => server.signIn(DEV.username, DEV.password, DEV_NEW_PASSWORD);

    beforeAll(async () => {
      ensureBuilt();
      dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-rollouts-'));
      server = await startTestServer({
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_STORE_APK_DIR: path.join(dir, 'apks'),
      });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      token = await server.adminToken();
      for (const name of [MINISTRY, OTHER]) await api('POST', '/api/v1/institutions', { name });
      const dev = await api<{ id: string }>('POST', '/api/v1/users', {
        kind: 'operator',
        ...DEV,
        roles: ['developer'],
      });
      // A vendor (national organisation): every institution's catalogue offers its apps.
      const org = await api<{ id: string }>('POST', '/api/v1/store/orgs', {
        name: 'Tinyapp Vendor (rollouts e2e)',
        institutionId: null,
      });
      await api('POST', `/api/v1/store/orgs/${org.id}/members`, { userId: dev.id });
      // The corpus app targets an old SDK: a lenient national policy, so its upload has no findings.
      await api('PUT', '/api/v1/store/policies/national', {
        permissionAllow: null,
        permissionDeny: [],
        minTargetSdk: 1,
        allowCleartext: true,
      });
      const published = await runCli(['store', 'publish', APK, '--track', 'stable'], {
        PAKAWAAZ_URL: server.url,
        PAKAWAAZ_TOKEN: await developerToken(),
      });
      expect(published.code, published.stderr).toBe(0);
      const { apps } = await api<{ apps: { id: string; packageName: string }[] }>(
        'GET',
        '/api/v1/store/apps',
      );
      const app = apps.find((a) => a.packageName === PACKAGE);
      const { versions } = await api<{ versions: (typeof version)[] }>(
        'GET',
        `/api/v1/store/apps/${app?.id}/versions`,
      );
      version = versions[0]!;
      await api('POST', `/api/v1/store/versions/${version.id}/reviews`, {
        decision: 'approve',
        reason: 'Corpus app, no permissions of concern',
      });
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const versionText = () =>
      version.versionName ? `${version.versionName} (${version.versionCode})` : `code ${version.versionCode}`;

    async function startRollout(institution: string, percent: string): Promise<void> {
      await page.goto('/store/rollouts');
      const form = page.getByRole('form', { name: 'Start a rollout' });
      await form.getByLabel('App').selectOption({ label: PACKAGE });
      await form.getByLabel('Version').selectOption({ label: `${versionText()} · stable` });
      await form.getByLabel('Institution').selectOption({ label: institution });
      await form.getByLabel('Share of handsets (%)').fill(percent);
      await form.getByRole('button', { name: 'Start rollout' }).click();
    }

    it('starts a rollout by names, lists it by names and shows its figures (an empty fleet: zeros)', async () => {
      await page.goto('/store/rollouts');
      await page.waitForURL('**/login?next=%2Fstore%2Frollouts');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/store/rollouts');
      await visible(page.getByRole('heading', { name: 'App rollouts', level: 1 }));
      await visible(
        page
          .getByRole('navigation', { name: 'Domains' })
          .getByRole('link', { name: 'Rollouts', exact: true }),
      );
      await visible(page.getByText('No rollouts.'));

      await startRollout(MINISTRY, '10');
      // The detail page of the new rollout, weighed from device management's (empty) fleet.
      await page.waitForURL(/\/store\/rollouts\/[0-9a-f-]{36}$/);
      await visible(page.getByRole('heading', { name: `Rollout of ${PACKAGE}`, level: 1 }));
      await visible(page.getByText(`${MINISTRY} · 10% of its handsets`));
      const figures = page.locator('dl[aria-label="Figures"]');
      await visible(figures);
      expect(await figures.locator('dt').allInnerTexts()).toEqual([
        'TARGETED',
        'QUEUED',
        'INSTALLED',
        'FAILED',
        'CRASHING',
        'ATTESTATION FAILURES',
      ]);
      expect(await figures.locator('dd').allInnerTexts()).toEqual(['0', '0', '0', '0', '0', '0']);
      await visible(page.getByText('no handset attempted yet (threshold 5.0%)'));

      await page.getByRole('link', { name: '← App rollouts' }).click();
      const row = page
        .getByRole('table', { name: 'App rollouts' })
        .getByRole('row')
        .filter({ hasText: PACKAGE });
      await visible(row.getByText(MINISTRY));
      await visible(row.getByText(versionText()));
      await visible(row.getByText('10%'));
      await visible(row.getByText('running'));
      expectNoProblems(problems);
    });

    it('refuses a second rollout of the app in that institution, in words with what to do', async () => {
      await startRollout(MINISTRY, '20');
      const alert = page.getByRole('form', { name: 'Start a rollout' }).getByRole('alert');
      await visible(alert.getByText('The rollout was not started'));
      await visible(alert.getByText(/halt it or let it complete/));
      expectNoProblems(problems, (p) => p.kind === 'console' && p.text.includes('409'));
    });

    it('widens only up, pauses, resumes and halts with a reason shown prominently', async () => {
      await page.goto('/store/rollouts');
      await page.getByRole('table', { name: 'App rollouts' }).getByRole('link', { name: PACKAGE }).click();
      const name = `the rollout of ${PACKAGE} in ${MINISTRY}`;

      const widen = page.getByRole('form', { name: 'Widen the rollout' });
      await widen.getByLabel('New share of handsets (%)').fill('10');
      expect(await widen.getByRole('button', { name: 'Widen' }).isDisabled()).toBe(true);
      await widen.getByLabel('New share of handsets (%)').fill('50');
      await widen.getByRole('button', { name: 'Widen' }).click();
      await visible(page.getByText(`${MINISTRY} · 50% of its handsets`));

      await page.getByRole('button', { name: `Pause ${name}` }).click();
      await page.getByRole('button', { name: 'Pause it' }).click();
      await visible(page.getByRole('button', { name: `Resume ${name}` }));
      await visible(page.getByText('paused', { exact: true }));
      await page.getByRole('button', { name: `Resume ${name}` }).click();
      await page.getByRole('button', { name: 'Resume it' }).click();
      await visible(page.getByRole('button', { name: `Pause ${name}` }));

      const halt = page.getByRole('button', { name: `Halt ${name}` });
      expect(await halt.isDisabled()).toBe(true); // a reason is required
      await page.getByLabel('Reason for halting (recorded and audited)').fill('wrong server URL');
      await halt.click();
      await page.getByRole('button', { name: 'Halt it' }).click();
      const reason = page.getByRole('alert', { name: 'Halt reason' });
      await visible(reason.getByText('wrong server URL'));
      await visible(page.getByText('This rollout is halted: nothing more can be done to it.'));

      // Each lever went through the audited API, as the operator who pulled it.
      for (const what of ['started', 'widened', 'paused', 'resumed', 'halted']) {
        const { entries } = await api<{ entries: unknown[] }>(
          'GET',
          `/api/v1/audit?action=app-store.rollout.${what}`,
        );
        expect(entries, what).toHaveLength(1);
      }
      expectNoProblems(problems);
    });

    it('the kill switch withdraws the version everywhere and halts its running rollout', async () => {
      // A new rollout of the same version, in the other ministry: the kill switch halts it.
      await startRollout(OTHER, '25');
      await page.waitForURL(/\/store\/rollouts\/[0-9a-f-]{36}$/);
      const rolloutUrl = page.url();

      await page.goto('/store/apps');
      const app = page.getByRole('region', { name: PACKAGE });
      const label = `${PACKAGE} ${versionText()}`;
      // Its rollouts, from the version's row.
      await app.getByRole('link', { name: `Rollouts of ${label}` }).click();
      await page.waitForURL(`**/store/rollouts?version=${version.id}`);
      const rows = page.getByRole('table', { name: 'App rollouts' }).getByRole('row');
      await visible(rows.filter({ hasText: OTHER }));
      await visible(rows.filter({ hasText: MINISTRY }));
      // A national reviewer narrows the list to one institution, by name.
      await page.goto('/store/rollouts');
      const filter = page.getByRole('search', { name: 'Rollouts' });
      await filter.getByLabel('Institution').selectOption({ label: OTHER });
      await filter.getByRole('button', { name: 'Show' }).click();
      await page.waitForURL('**/store/rollouts?institution=*');
      await visible(rows.filter({ hasText: OTHER }));
      expect(await rows.filter({ hasText: MINISTRY }).count()).toBe(0);

      await page.goto('/store/apps');
      await app.getByRole('button', { name: `Kill switch for ${label}` }).click();
      const group = app.getByRole('group', { name: `Kill switch for ${label}` });
      const kill = group.getByRole('button', { name: `Kill ${label}` });
      expect(await kill.isDisabled()).toBe(true); // a reason is required
      await group.getByLabel('Reason (recorded and audited)').fill('leaks location');
      await kill.click();
      await visible(group.getByText(/uninstalled from every handset that has it, in every institution/));
      await visible(group.getByText(/withdrawn from every catalogue/));
      await group.getByRole('button', { name: 'Kill it everywhere' }).click();
      await visible(
        app.getByText(
          'Killed: withdrawn, 1 rollout(s) halted, 0 pending install(s) cancelled, 0 uninstall(s) queued.',
          { exact: true },
        ),
      );
      await visible(
        app.getByRole('table', { name: `Versions of ${PACKAGE}` }).getByText('withdrawn', { exact: true }),
      );

      await page.goto(new URL(rolloutUrl).pathname);
      await visible(page.getByRole('alert', { name: 'Halt reason' }).getByText('killed: leaks location'));
      expectNoProblems(problems);
    });
  },
);
