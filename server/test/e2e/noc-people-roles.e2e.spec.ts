import type { Browser, Page } from 'playwright-core';
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

const MINISTRY = 'Ministry of Water (roles e2e)';
const OFFICIAL = { username: 'sana.malik', name: 'Sana Malik' };
const VIEWER = { username: 'e2e-viewer', password: 'lotus-granite-ember-58' };
const SCOPED = { username: 'e2e-scoped-viewer', password: 'cedar-orbit-marble-26' };
const OFFICER = { username: 'e2e-officer', password: 'harbor-quill-saffron-73' };

/** Every user-management write the NOC offers on the Users and user pages, by its button's name. */
const MUTATIONS = [
  'Add a user',
  'Disable',
  'Reset password',
  'Save changes',
  'Reset second factors',
  'Revoke all',
] as const;

const countButton = (page: Page, name: string) => page.getByRole('button', { name, exact: true }).count();

describe.skipIf(!chromiumAvailable('the NOC role-aware UI tests'))(
  'NOC shows each operator only the actions its roles allow (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let officialId = '';
    const problems: Problem[] = [];

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error(
          'The NOC is not built (noc/dist/index.html is missing): run `node scripts/build.mjs --if-needed` first.',
        );
      const token = await server.adminToken();
      const post = async <T>(path: string, body: unknown): Promise<T> => {
        const res = await server.request('POST', path, { token, body });
        if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      };
      const ministry = await post<{ id: string }>('/api/v1/institutions', {
        name: MINISTRY,
        kind: 'ministry',
        rolloutPhase: 'pilot',
        directoryScope: 'own',
      });
      officialId = (
        await post<{ id: string }>('/api/v1/users', {
          kind: 'official',
          username: OFFICIAL.username,
          displayName: OFFICIAL.name,
          password: 'willow-beacon-copper-19',
          institution: ministry.id,
        })
      ).id;
      const operator = (username: string, password: string, roles: string[], institution?: string) =>
        post('/api/v1/users', {
          kind: 'operator',
          username,
          displayName: username,
          password,
          roles,
          ...(institution ? { institution } : {}),
        });
      await operator(VIEWER.username, VIEWER.password, ['viewer']);
      await operator(SCOPED.username, SCOPED.password, ['viewer'], ministry.id);
      await operator(OFFICER.username, OFFICER.password, ['security-officer']);
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    const signIn = async (username: string, password: string, home: string): Promise<Page> => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, username, password);
      await page.waitForURL(`**${home}`);
      return page;
    };

    const officialPage = async (page: Page): Promise<void> => {
      await page.goto(`/users/${officialId}`);
      await visible(page.getByRole('heading', { name: OFFICIAL.name, level: 1 }));
      await visible(page.getByRole('region', { name: 'Sessions' }).getByText('is not signed in anywhere'));
    };

    it('a security officer sees the user-management actions (the control for the cases below)', async () => {
      const page = await signIn(OFFICER.username, OFFICER.password, '/system');
      await page.goto('/users');
      await visible(page.getByRole('link', { name: `User ${OFFICIAL.username}, ${OFFICIAL.name}` }));
      expect(await countButton(page, 'Add a user')).toBe(1);
      await officialPage(page);
      for (const name of ['Disable', 'Reset password', 'Save changes', 'Reset second factors'])
        expect(await countButton(page, name), name).toBe(1);
      await page.context().close();
    });

    it('a national viewer sees users but no user-management button, and is told why', async () => {
      const page = await signIn(VIEWER.username, VIEWER.password, '/system');
      await page.goto('/users');
      await visible(page.getByRole('link', { name: `User ${OFFICIAL.username}, ${OFFICIAL.name}` }));
      await visible(page.getByText('Adding and changing users: needs the security-officer role.'));
      expect(await countButton(page, 'Add a user')).toBe(0);
      expect(await page.getByRole('region', { name: 'Factor resets waiting for approval' }).count()).toBe(0);

      await officialPage(page);
      await visible(page.getByText(`Managing ${OFFICIAL.username}: needs the security-officer role.`));
      for (const name of MUTATIONS) expect(await countButton(page, name), name).toBe(0);
      expect(await page.getByRole('form', { name: 'Edit profile' }).count()).toBe(0);

      await page.goto('/institutions');
      await visible(page.getByRole('rowheader', { name: MINISTRY, exact: true }));
      await visible(page.getByText('Changing institutions: needs the super-admin role.'));
      expect(await countButton(page, 'Add an institution')).toBe(0);
      expect(await page.getByRole('button', { name: `Edit ${MINISTRY}` }).count()).toBe(0);
      await page.context().close();
    });

    it('an institution-scoped viewer starts on Users, sees its institution, and no mutation button', async () => {
      const page = await signIn(SCOPED.username, SCOPED.password, '/users');
      await visible(page.getByRole('link', { name: `User ${OFFICIAL.username}, ${OFFICIAL.name}` }));
      expect(await countButton(page, 'Add a user')).toBe(0);
      await officialPage(page);
      for (const name of MUTATIONS) expect(await countButton(page, name), name).toBe(0);

      // Live sessions: its own may be signed out, nobody else's revoked.
      await page.goto('/sessions');
      const table = page.getByRole('table', { name: 'Live sessions' });
      await visible(table.getByRole('row').filter({ hasText: 'this session' }));
      expect(await table.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
      await page.context().close();
    });

    it('no page asked the server for something it refuses: no 403, no console error', () => {
      expect(problems).toEqual([]);
    });
  },
);
