import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server.js';

const totpNow = (secret: string) => totpCodeAtStep(secret, totpStepAt(new Date()));
type Tokens = { accessToken: string; refreshToken: string; withheldRoles: string[] };
type Me = {
  roles: string[];
  withheldRoles: string[];
  mfaEnrolmentRequired: boolean;
  operatorMfaPolicy: boolean;
};

describe('PAKAWAAZ_REQUIRE_OPERATOR_MFA: an operator without a second factor may only enrol one', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PAKAWAAZ_REQUIRE_OPERATOR_MFA: 'true' });
  });
  afterAll(() => server?.stop());

  const signIn = async (): Promise<Tokens> => {
    const res = await server.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: TEST_ADMIN_PASSWORD },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Tokens;
  };
  const me = async (token: string) =>
    (await (await server.request('GET', '/api/v1/auth/me', { token })).json()) as Me;

  it('withholds every role server-side until TOTP is enrolled, then the next token carries them', async () => {
    const first = await signIn();
    expect(first.withheldRoles).toEqual(['super-admin']);
    const profile = await me(first.accessToken);
    expect(profile).toMatchObject({ roles: [], mfaEnrolmentRequired: true, operatorMfaPolicy: true });
    // Not a UI hint: the API refuses the session every operator route.
    for (const path of ['/api/v1/users', '/api/v1/system', '/api/v1/audit', '/api/v1/tokens']) {
      const res = await server.request('GET', path, { token: first.accessToken });
      expect(res.status, path).toBe(403);
    }
    // Refreshing does not help while there is no factor.
    const refreshed = await server.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    const again = (await refreshed.json()) as Tokens;
    expect(again.withheldRoles).toEqual(['super-admin']);
    expect((await server.request('GET', '/api/v1/users', { token: again.accessToken })).status).toBe(403);

    // My account works: enrol TOTP.
    const begun = await server.request('POST', '/api/v1/account/totp', { token: again.accessToken });
    expect(begun.status).toBe(201);
    const { secret } = (await begun.json()) as { secret: string };
    const confirmed = await server.request('POST', '/api/v1/account/totp/confirm', {
      token: again.accessToken,
      body: { code: totpNow(secret) },
    });
    expect(confirmed.status).toBe(200);
    expect((await me(again.accessToken)).mfaEnrolmentRequired).toBe(false);

    const renewed = (await (
      await server.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: again.refreshToken } })
    ).json()) as Tokens;
    expect(renewed.withheldRoles).toEqual([]);
    expect((await me(renewed.accessToken)).roles).toEqual(['super-admin']);
    expect((await server.request('GET', '/api/v1/users', { token: renewed.accessToken })).status).toBe(200);
  });
});

describe.skipIf(!chromiumAvailable('the NOC first-run browser tests'))(
  'NOC: the second-factor prompt and "must change password" when adding a user (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    const problems: Problem[] = [];

    beforeAll(async () => {
      server = await startTestServer({ PAKAWAAZ_REQUIRE_OPERATOR_MFA: 'true' });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed`.');
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('asks the operator without a second factor to enrol one, and the roles return once enrolled', async () => {
      await page.goto('/login');
      await submitPassword(page, 'admin', server.adminPassword);
      // It lands on My account: the other pages would refuse this session.
      await page.waitForURL('**/account');
      const banner = page.getByRole('complementary', { name: 'Second factor required' });
      await visible(banner);
      expect(await banner.innerText()).toContain('your roles are withheld and only My account works');
      expect(await banner.innerText()).toContain('Set up the authenticator app or add a passkey below.');

      const totp = page.getByRole('region', { name: 'Authenticator app (TOTP)' });
      await totp.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = (await totp.getByLabel('Secret key').innerText()).replace(/\s+/g, '');
      await totp.getByLabel('Code from the app').fill(totpNow(secret));
      await totp.getByRole('button', { name: 'Confirm' }).click();
      await visible(totp.getByRole('list', { name: 'Recovery codes' }));
      await banner.waitFor({ state: 'detached' });
      // The renewed token carries super-admin again: the Users page works.
      await visible(page.locator('.operator-meta .role', { hasText: 'super-admin' }));
      await totp.getByRole('button', { name: 'I have saved them' }).click();
    });

    it('adds a user who must change the first password (the default), or not when unticked', async () => {
      await page.getByRole('navigation', { name: 'Domains' }).getByRole('link', { name: 'Users' }).click();
      await page.getByRole('button', { name: 'Add a user' }).click();
      const form = page.getByRole('form', { name: 'Add a user' });
      const mustChange = form.getByLabel(/Must change password at first sign-in/);
      expect(await mustChange.isChecked()).toBe(true);
      const add = async (username: string) => {
        await form.getByLabel('Username').fill(username);
        await form.getByLabel('Display name').fill(`Officer ${username}`);
        await form.getByLabel('Institution', { exact: true }).selectOption({ index: 1 });
        await form.getByLabel('First password', { exact: false }).fill('lantern-river-copper-11');
        await form.getByRole('button', { name: 'Create official' }).click();
        await visible(page.getByText(`Created official ${username}`, { exact: false }));
      };
      await add('first.changer');
      await visible(page.getByText('(must change the password at first sign-in)'));
      await mustChange.uncheck();
      await add('keeps.password');

      const token = await (async () => {
        const login = await server.request('POST', '/api/v1/auth/login', {
          body: { username: 'first.changer', password: 'lantern-river-copper-11' },
        });
        return (await login.json()) as { status: string };
      })();
      expect(token.status).toBe('password_change_required');
      const other = await server.request('POST', '/api/v1/auth/login', {
        body: { username: 'keeps.password', password: 'lantern-river-copper-11' },
      });
      expect(((await other.json()) as { status: string }).status).not.toBe('password_change_required');
      expect(problems).toEqual([]);
    });
  },
);
