import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, simCsv } from '@pakawaaz/test-support';
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

// Every NOC page in a real browser, failing on any console error, uncaught error or CSP violation; and a
// viewer-role operator, who sees what it may read but none of the buttons the server would answer with 403.

const VIEWER = { username: 'e2e-viewer', name: 'Vera Viewer', password: 'amber-lantern-orbit-77' };
const SIM = fakeSim(4_242);

/** Every page of the menu, by link (in its group) and the heading it shows. */
const PAGES: readonly { link: string; heading: string; path: string }[] = [
  { link: 'System', heading: 'System', path: '/system' },
  { link: 'Audit log', heading: 'Audit log', path: '/audit' },
  { link: 'SIM inventory', heading: 'SIM inventory', path: '/sims' },
  { link: 'Subscribers', heading: 'Subscribers', path: '/subscribers' },
  { link: 'Profiles', heading: 'Subscriber profiles', path: '/subscriber-profiles' },
  { link: 'Network', heading: 'Network', path: '/network' },
  { link: 'Users', heading: 'Users', path: '/users' },
  { link: 'Institutions', heading: 'Institutions', path: '/institutions' },
  { link: 'Rollout', heading: 'Rollout', path: '/rollout' },
  { link: 'Sessions', heading: 'Sessions', path: '/sessions' },
  { link: 'RADIUS accounting', heading: 'RADIUS accounting', path: '/radius/accounting' },
];

/** Buttons that change something, on the pages a viewer can open. */
const MUTATIONS = [
  'Import',
  'Rotate KEK',
  'Assign SIM',
  'Sync now',
  'New profile',
  'Edit',
  'Apply',
  'Acknowledge',
  'Verify chain',
  'Bar',
  'Unassign SIM',
  'Unbar',
  'Move to next phase',
];

async function tour(page: Page): Promise<void> {
  for (const p of PAGES) {
    await page
      .getByRole('navigation', { name: 'Domains' })
      .getByRole('link', { name: p.link, exact: true })
      .click();
    await page.waitForURL(`**${p.path}`);
    await visible(page.getByRole('heading', { name: p.heading, level: 1, exact: true }));
    // Let the page's first reads answer (a refused one would log a console error).
    await page.waitForLoadState('networkidle');
  }
}

async function mutationButtons(page: Page): Promise<string[]> {
  const names = await page.getByRole('button').allInnerTexts();
  return names.map((n) => n.trim()).filter((n) => MUTATIONS.some((m) => n === m || n.startsWith(`${m} `)));
}

/** Imports one SIM and assigns it, so the subscriber pages have a row. */
async function seedSubscriber(server: TestServer, token: string): Promise<void> {
  const started = await server.request('POST', '/api/v1/sims/imports?filename=roles-e2e.csv', {
    token,
    body: simCsv([SIM]),
    headers: { 'content-type': 'text/csv' },
  });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
  // expect.poll works only inside a test; this runs in beforeAll.
  let status = 'queued';
  for (let i = 0; i < 100 && (status === 'queued' || status === 'running'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const job = await server.request('GET', `/api/v1/sims/imports/${id}`, { token });
    status = ((await job.json()) as { status: string }).status;
  }
  expect(status).toBe('completed');
  // The SIM's holder must exist and be active: an official of an institution.
  const ministry = await server.request('POST', '/api/v1/institutions', {
    token,
    body: { name: 'Roles E2E Ministry' },
  });
  expect(ministry.status).toBe(201);
  const official = await server.request('POST', '/api/v1/users', {
    token,
    body: {
      kind: 'official',
      username: 'rafi.roles',
      displayName: 'Rafi Roles',
      password: 'amber-orchard-violin-7',
      institution: 'Roles E2E Ministry',
    },
  });
  expect(official.status).toBe(201);
  const assigned = await server.request('POST', '/api/v1/subscribers', {
    token,
    body: { imsi: SIM.imsi, official: 'rafi.roles' },
  });
  expect(assigned.status).toBe(201);
}

describe.skipIf(!chromiumAvailable('the NOC roles browser tests'))(
  'NOC pages by role (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    const problems: Problem[] = [];

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error('The NOC is not built (noc/dist/index.html is missing): run `npm run build` first.');
      const token = await server.adminToken();
      const created = await server.request('POST', '/api/v1/users', {
        token,
        body: {
          kind: 'operator',
          username: VIEWER.username,
          displayName: VIEWER.name,
          password: VIEWER.password,
          roles: ['viewer'],
        },
      });
      expect(created.status).toBe(201);
      await seedSubscriber(server, token);
      browser = await launchChromium();
    });

    afterEach(() => expectNoProblems(problems));

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('opens every page as super-admin without a console error', async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/system');
      await tour(page);
      // The administrator does get the buttons.
      await page.goto('/sims');
      await visible(page.getByRole('button', { name: 'Rotate KEK' }));
      await page.goto(`/subscribers/${SIM.imsi}`);
      await visible(
        page.getByRole('region', { name: 'Network access' }).getByRole('button', { name: 'Bar' }),
      );
      await context.close();
    });

    it('shows a viewer every page it may read, without a mutation button, and says why', async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, VIEWER.username, VIEWER.password);
      await page.waitForURL('**/system');
      await tour(page);

      const seen: Record<string, string[]> = {};
      for (const path of [
        '/sims',
        '/subscribers',
        `/subscribers/${SIM.imsi}`,
        '/subscriber-profiles',
        '/network',
        '/audit',
      ]) {
        await page.goto(path);
        await visible(page.getByRole('heading', { level: 1 }));
        await page.waitForLoadState('networkidle');
        seen[path] = await mutationButtons(page);
      }
      expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((p) => [p, []])));

      // Reads still work, and each hidden action says what it needs.
      await page.goto('/sims');
      await visible(page.getByRole('cell', { name: SIM.imsi, exact: true }));
      await visible(page.getByText('Importing SIMs: needs the sim-operator role.'));
      await visible(page.getByText('Rotating the KEK: needs the security-officer role.'));
      await page.goto(`/subscribers/${SIM.imsi}`);
      await visible(page.getByRole('heading', { name: 'Rafi Roles', level: 1 }));
      await visible(
        page.getByText('Barring: needs the sim-operator or network-admin or security-officer role.'),
      );
      await page.goto('/network');
      await visible(page.getByText('Applying a network spec: needs the network-admin role.'));
      await page.goto('/audit');
      await visible(page.getByRole('region', { name: 'Sign-ins by factor' }).getByRole('figure'));
      await context.close();
    });

    it('counts sign-ins by factor for the NOC: successes per factor used, failures per failed factor', async () => {
      const wrong = await server.request('POST', '/api/v1/auth/login', {
        body: { username: VIEWER.username, password: 'not-the-right-passphrase' },
      });
      expect(wrong.status).toBe(401);
      const login = await server.request('POST', '/api/v1/auth/login', {
        body: { username: VIEWER.username, password: VIEWER.password },
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const res = await server.request('GET', '/api/v1/sign-in-stats?hours=1', { token: accessToken });
      expect(res.status).toBe(200);
      const stats = (await res.json()) as {
        bucketSeconds: number;
        scope: string;
        buckets: { factor: string; succeeded: number; failed: number }[];
      };
      expect(stats).toMatchObject({ bucketSeconds: 300, scope: 'node' });
      const pwd = stats.buckets.filter((b) => b.factor === 'pwd');
      // The admin's API sign-in, the two browser sign-ins above and this one; and the one wrong password.
      expect(pwd.reduce((n, b) => n + b.succeeded, 0)).toBeGreaterThanOrEqual(4);
      expect(pwd.reduce((n, b) => n + b.failed, 0)).toBe(1);
      const tooLong = await server.request('GET', '/api/v1/sign-in-stats?hours=25', { token: accessToken });
      expect(tooLong.status).toBe(400);
    });
  },
);
