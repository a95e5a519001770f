import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAtStep, totpStepAt } from '@pakawaaz/totp';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  STEP_MS,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MINISTRY = 'Ministry of Interior (e2e)';
const DEPARTMENT = 'Passport Office (e2e)';
const OFFICIAL = {
  username: 'amina.qureshi',
  name: 'Amina Qureshi',
  password: 'river-lantern-copper-97',
  newPassword: 'saffron-window-maple-31',
  newerPassword: 'tamarind-lantern-river-85',
};
const OPERATOR = { username: 'e2e-ops', name: 'Bilal Ahmed', password: 'quiet-harbour-violet-42' };
const APPROVER = { username: 'e2e-approver', name: 'Hina Rauf', password: 'copper-meadow-signal-64' };
/** A small guess limit, so that an attack on one account takes a handful of requests. */
const GUESS_LIMIT = 5;
const ACCOUNT_SCREENSHOT = process.env.PAKAWAAZ_NOC_ACCOUNT_SCREENSHOT ?? '/tmp/noc-account.png';
const USER_SCREENSHOT = process.env.PAKAWAAZ_NOC_USER_SCREENSHOT ?? '/tmp/noc-user.png';

/** The code an authenticator app shows for `secret`, `ahead` steps (30 s each) from now. */
const totpCode = (secret: string, ahead = 0): string =>
  totpCodeAtStep(secret, totpStepAt(new Date()) + ahead);

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Domains' }).getByRole('link', { name, exact: true });

describe.skipIf(!chromiumAvailable('the NOC identity browser tests'))(
  'NOC identity pages in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    /** Passkeys are bound to the relying party `localhost`, so the NOC is opened there, not at 127.0.0.1. */
    let nocUrl: string;
    let admin: Page;
    let operatorContext: BrowserContext;
    let operatorPage: Page;
    let totpSecret = '';
    let recoveryCodes: string[] = [];
    const problems: Problem[] = [];

    beforeAll(async () => {
      // Passkey enforcement on, as in production: super-admin needs a passkey sign-in.
      server = await startTestServer({
        PAKAWAAZ_REQUIRE_PASSKEYS: 'true',
        PAKAWAAZ_LOCKOUT_THRESHOLD: String(GUESS_LIMIT),
      });
      if (!server.nocServed)
        throw new Error(
          'The NOC is not built (noc/dist/index.html is missing): run `node scripts/build.mjs --if-needed` first.',
        );
      const url = new URL(server.url);
      url.hostname = 'localhost';
      nocUrl = url.origin;
      browser = await launchChromium();
      ({ page: admin } = await openContext(browser, nocUrl, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('signs in with the password; the shell says super-admin is withheld until a passkey sign-in', async () => {
      await admin.goto('/account');
      await admin.waitForURL('**/login?next=%2Faccount');
      await submitPassword(admin, 'admin', server.adminPassword);

      await admin.waitForURL('**/account');
      await visible(admin.getByRole('heading', { name: 'My account', level: 1 }));
      const banner = admin.getByRole('complementary', { name: 'Passkey required' });
      await visible(banner);
      expect(await banner.innerText()).toContain('Your super-admin role is withheld in this session');
      expect(await banner.innerText()).toContain('Add one under Passkeys below');
      const thisSession = admin.getByRole('region', { name: 'This session' });
      await visible(thisSession.getByText('aal1'));
      expect(await thisSession.innerText()).toMatch(/Withheld\s+super-admin/);
      // Tokens live in sessionStorage (gone with the tab), never in localStorage. Strings: no DOM types here.
      expect(await admin.evaluate('Object.keys(sessionStorage)')).toEqual(['pakawaaz.noc.session']);
      expect(await admin.evaluate('Object.keys(localStorage)')).toEqual([]);
    });

    it('registers a passkey and signs in with it, usernameless (virtual authenticator)', async () => {
      const cdp: CDPSession = await admin.context().newCDPSession(admin);
      await cdp.send('WebAuthn.enable');
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
        },
      });

      const passkeys = admin.getByRole('region', { name: 'Passkeys' });
      await visible(passkeys.getByText('No passkey yet.'));
      await passkeys.getByLabel(/^Name/).fill('Virtual key (e2e)');
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
      await visible(passkeys.getByRole('status').getByText('Added the passkey “Virtual key (e2e)”.'));
      await visible(passkeys.getByRole('cell', { name: 'Virtual key (e2e)', exact: true }));
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]?.isResidentCredential).toBe(true);

      await admin
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('button', { name: 'Sign out' })
        .click();
      await admin.waitForURL('**/login');
      await admin.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await admin.waitForURL('**/system');
      // No username typed: the authenticator chose the account, and the session has every role.
      await expect
        .poll(() => admin.getByLabel('Signed-in operator').innerText(), { timeout: STEP_MS })
        .toMatch(/\badmin\b[\s\S]*super-admin/);
      await visible(admin.getByRole('region', { name: 'Database' }));
      expect(await admin.getByRole('complementary', { name: 'Passkey required' }).count()).toBe(0);
      await admin
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('link', { name: 'My account' })
        .click();
      const thisSession = admin.getByRole('region', { name: 'This session' });
      await visible(thisSession.getByText('passkey or hardware key'));
      await visible(thisSession.getByText('aal3'));
      const row = admin
        .getByRole('region', { name: 'Passkeys' })
        .getByRole('row')
        .filter({ hasText: 'Virtual key (e2e)' });
      await visible(row);
      expect(await row.getByRole('time').count()).toBe(2); // added, and last used just now
      expect(await thisSession.innerText()).not.toContain('Withheld');
    });

    it('renews a refused access token once with the refresh token, then retries the call', async () => {
      const read = async () =>
        JSON.parse(await admin.evaluate<string>("sessionStorage.getItem('pakawaaz.noc.session')")) as {
          accessToken: string;
          refreshToken: string;
        };
      const before = await read();
      // A well-formed but unsigned token: the server refuses it as it would an expired one.
      const forged = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.${'A'.repeat(86)}`;
      await admin.evaluate(
        `(() => { const s = JSON.parse(sessionStorage.getItem('pakawaaz.noc.session')); s.accessToken = '${forged}'; sessionStorage.setItem('pakawaaz.noc.session', JSON.stringify(s)); })()`,
      );
      await admin.goto('/audit');
      await visible(admin.getByRole('cell', { name: 'identity.passkey.registered' }).first());
      expect(new URL(admin.url()).pathname).toBe('/audit');
      const after = await read();
      expect(after.accessToken).not.toBe(forged);
      expect(after.refreshToken).not.toBe(before.refreshToken);
      // The renewed access token is a real one.
      expect((await server.request('GET', '/api/v1/auth/me', { token: after.accessToken })).status).toBe(200);
    });

    it('creates a ministry, edits its rollout phase, and deletes an empty department', async () => {
      await nav(admin, 'Institutions').click();
      await admin.waitForURL('**/institutions');
      await admin.getByRole('button', { name: 'Add an institution' }).click();
      const form = admin.getByRole('form', { name: 'Add an institution' });
      await form.getByRole('textbox', { name: 'Name' }).fill(MINISTRY);
      await form.getByRole('button', { name: 'Create ministry' }).click();
      await visible(form.getByRole('status').getByText(`Created the ministry ${MINISTRY}.`));

      await form.getByRole('radio', { name: /^Department/ }).check();
      await form.getByRole('textbox', { name: 'Name' }).fill(DEPARTMENT);
      await form.getByRole('combobox', { name: 'Ministry' }).selectOption({ label: MINISTRY });
      await form.getByRole('button', { name: 'Create department' }).click();
      await visible(form.getByRole('status').getByText(`Created the department ${DEPARTMENT}.`));

      const row = (name: string) =>
        admin.getByRole('row').filter({ has: admin.getByRole('rowheader', { name, exact: true }) });
      await visible(row(DEPARTMENT));
      expect((await row(DEPARTMENT).locator('td').allInnerTexts()).slice(0, 5)).toEqual([
        'department',
        MINISTRY,
        'pilot',
        'its ministry and departments',
        '0',
      ]);
      // A ministry with a department is in use: no delete.
      expect(
        await row(MINISTRY)
          .getByRole('button', { name: `Delete ${MINISTRY}` })
          .count(),
      ).toBe(0);

      await row(MINISTRY)
        .getByRole('button', { name: `Edit ${MINISTRY}` })
        .click();
      await admin.getByLabel(`Rollout phase of ${MINISTRY}`).selectOption('nationwide');
      await admin.getByLabel(`Directory scope of ${MINISTRY}`).selectOption('all');
      await row(MINISTRY).getByRole('button', { name: 'Save' }).click();
      await visible(row(MINISTRY).getByText('nationwide', { exact: true }));
      await visible(row(MINISTRY).getByText('every institution'));

      await row(DEPARTMENT)
        .getByRole('button', { name: `Delete ${DEPARTMENT}` })
        .click();
      await row(DEPARTMENT).getByRole('button', { name: 'Delete', exact: true }).click();
      await row(DEPARTMENT).waitFor({ state: 'detached' });

      const token = await server.adminToken();
      const list = (await (await server.request('GET', '/api/v1/institutions', { token })).json()) as {
        institutions: { name: string; rolloutPhase: string; directoryScope: string }[];
      };
      expect(list.institutions.find((i) => i.name === MINISTRY)).toMatchObject({
        rolloutPhase: 'nationwide',
        directoryScope: 'all',
      });
      expect(list.institutions.some((i) => i.name === DEPARTMENT)).toBe(false);
    });

    it('creates an official and an operator and lists them', async () => {
      await nav(admin, 'Users').click();
      await admin.waitForURL('**/users');
      await admin.getByRole('button', { name: 'Add a user' }).click();
      const form = admin.getByRole('form', { name: 'Add a user' });

      await form.getByLabel('Username').fill(OFFICIAL.username);
      await form.getByLabel('Display name').fill(OFFICIAL.name);
      await form.getByLabel(/^Designation/).fill('Deputy Secretary');
      await form.getByRole('combobox', { name: 'Institution' }).selectOption({ label: MINISTRY });
      await form.getByLabel('First password').fill(OFFICIAL.password);
      expect(await form.getByRole('group', { name: 'Roles' }).count()).toBe(0);
      // By default the first password is a one-time one: the official picks their own at first sign-in.
      const mustChange = form.getByLabel(/^Must change password at first sign-in/);
      expect(await mustChange.isChecked()).toBe(true);
      await form.getByRole('button', { name: 'Create official' }).click();
      await visible(
        form
          .getByRole('status')
          .getByText(`Created official ${OFFICIAL.username} (must change the password at first sign-in).`),
      );

      await form.getByRole('radio', { name: /^NOC operator/ }).check();
      await form.getByLabel('Username').fill(OPERATOR.username);
      await form.getByLabel('Display name').fill(OPERATOR.name);
      await form.getByRole('combobox', { name: /^Institution/ }).selectOption('');
      await form.getByLabel('First password').fill(OPERATOR.password);
      // The operator signs in with this password in the tests below: no forced change.
      await mustChange.uncheck();
      const roles = form.getByRole('group', { name: 'Roles' });
      await roles.getByLabel('sim-operator', { exact: true }).check();
      await roles.getByLabel('security-officer', { exact: true }).check();
      await form.getByRole('button', { name: 'Create operator' }).click();
      await visible(form.getByRole('status').getByText(`Created operator ${OPERATOR.username}.`));

      const table = admin.getByRole('region', { name: 'All users' }).getByRole('table');
      const cells = async (username: string, name: string) => {
        const row = table
          .getByRole('row')
          .filter({ has: admin.getByRole('link', { name: `User ${username}, ${name}` }) });
        await visible(row);
        return (await row.locator('td').allInnerTexts()).map((t) => t.trim());
      };
      expect(await cells(OFFICIAL.username, OFFICIAL.name)).toEqual([
        OFFICIAL.username,
        `${OFFICIAL.name}\nDeputy Secretary`,
        'official',
        MINISTRY,
        '—',
        'password only',
        'active',
        'never',
      ]);
      const operatorRow = await cells(OPERATOR.username, OPERATOR.name);
      expect(operatorRow.slice(2, 5)).toEqual(['operator', 'national', 'viewersim-operatorsecurity-officer']);

      // The kind filter lives in the URL and narrows the list.
      await admin.getByLabel('Kind').selectOption('official');
      await admin.waitForURL('**/users?kind=official');
      await visible(table.getByRole('link', { name: `User ${OFFICIAL.username}, ${OFFICIAL.name}` }));
      await table.getByRole('link', { name: `User ${OPERATOR.username}, ${OPERATOR.name}` }).waitFor({
        state: 'detached',
      });
    });

    it('enrols TOTP in My account: QR code, secret, confirmation and recovery codes shown once', async () => {
      ({ context: operatorContext, page: operatorPage } = await openContext(browser, nocUrl, problems));
      const page = operatorPage;
      await page.goto('/login');
      await submitPassword(page, OPERATOR.username, OPERATOR.password);
      await page.waitForURL('**/system');
      await page
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('link', { name: 'My account' })
        .click();
      await page.waitForURL('**/account');

      const totp = page.getByRole('region', { name: 'Authenticator app (TOTP)' });
      await visible(totp.getByText('not set up'));
      await totp.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const qr = totp.getByRole('img', {
        name: `QR code that adds ${OPERATOR.username} to an authenticator app`,
      });
      await visible(qr);
      expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(await qr.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
      totpSecret = (await totp.getByLabel('Secret key').innerText()).replace(/\s+/g, '');
      expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);

      await totp
        .getByLabel('Code from the app')
        .fill('000000' === totpCode(totpSecret) ? '111111' : '000000');
      await totp.getByRole('button', { name: 'Confirm' }).click();
      await visible(totp.getByRole('alert').getByText(/That code is not right/));

      await totp.getByLabel('Code from the app').fill(totpCode(totpSecret));
      await totp.getByRole('button', { name: 'Confirm' }).click();
      const codes = totp.getByRole('list', { name: 'Recovery codes' });
      await visible(codes);
      recoveryCodes = (await codes.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
      expect(recoveryCodes).toHaveLength(10);
      for (const code of recoveryCodes)
        expect(code).toMatch(/^[2-9a-km-z]{4}-[2-9a-km-z]{4}-[2-9a-km-z]{4}$/);
      await visible(totp.getByText('active', { exact: true }));

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        totp.getByRole('link', { name: 'Download' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`pakawaaz-recovery-codes-${OPERATOR.username}.txt`);
      const file = await download.path();
      expect((await readFile(file, 'utf8')).trim().split('\n')).toEqual(recoveryCodes);

      await page.screenshot({ path: ACCOUNT_SCREENSHOT, fullPage: true });
      await totp.getByRole('button', { name: 'I have saved them' }).click();
      await codes.waitFor({ state: 'detached' });
      await visible(totp.getByText('10 unused'));
      // The codes are gone from the page for good: a reload shows only the count.
      await page.reload();
      await visible(totp.getByText('10 unused'));
      expect(await page.getByRole('list', { name: 'Recovery codes' }).count()).toBe(0);
    });

    it('signs in again with password and TOTP, refuses a replayed code and accepts a recovery code', async () => {
      const page = operatorPage;
      await page
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('button', { name: 'Sign out' })
        .click();
      await page.waitForURL('**/login');

      await submitPassword(page, OPERATOR.username, OPERATOR.password);
      await visible(page.getByRole('heading', { name: 'Enter the code from your authenticator app' }));
      const code = page.getByLabel('Authentication code');
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      // The confirmation used this step's code; an authenticator's next code is accepted too (±1 step).
      const used = totpCode(totpSecret, 1);
      await code.fill(used);
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL('**/system');
      await page
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('button', { name: 'Sign out' })
        .click();
      await page.waitForURL('**/login');

      await submitPassword(page, OPERATOR.username, OPERATOR.password);
      await page.getByLabel('Authentication code').fill(used);
      await page.getByRole('button', { name: 'Verify' }).click();
      const alert = page.getByRole('alert');
      await expect
        .poll(() => alert.innerText(), { timeout: STEP_MS })
        .toContain('The code is wrong or was already used');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.getByLabel('Authentication code').inputValue()).toBe('');

      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0]!.toUpperCase());
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL('**/system');
      await page
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('link', { name: 'My account' })
        .click();
      const thisSession = page.getByRole('region', { name: 'This session' });
      await visible(thisSession.getByText('password + one-time code'));
      await visible(thisSession.getByText('aal2'));
      const totp = page.getByRole('region', { name: 'Authenticator app (TOTP)' });
      await visible(totp.getByText('9 unused'));

      // A session signed in with a code may replace the recovery codes; the used one is then moot.
      await totp.getByRole('button', { name: 'New recovery codes' }).click();
      await totp.getByRole('button', { name: 'Make new codes' }).click();
      const fresh = totp.getByRole('list', { name: 'Recovery codes' });
      await visible(fresh);
      const renewed = (await fresh.getByRole('listitem').allInnerTexts()).map((c) => c.trim());
      expect(renewed).toHaveLength(10);
      expect(renewed.filter((c) => recoveryCodes.includes(c))).toEqual([]);
      await totp.getByRole('button', { name: 'I have saved them' }).click();
      await visible(totp.getByText('10 unused'));
      recoveryCodes = renewed;
    });

    it('lists live sessions and revokes another one: that browser is signed out on its next call', async () => {
      await nav(admin, 'Sessions').click();
      await admin.waitForURL('**/sessions');
      const table = admin.getByRole('table', { name: 'Live sessions' });
      const own = table.getByRole('row').filter({ hasText: 'this session' });
      await visible(own);
      expect(await own.getByRole('link').innerText()).toBe('admin');
      await visible(own.getByText('aal3'));

      await admin.getByLabel('Username contains').fill(OPERATOR.username);
      const other = table
        .getByRole('row')
        .filter({ has: admin.getByRole('link', { name: OPERATOR.username }) });
      await expect.poll(() => other.count(), { timeout: STEP_MS }).toBe(1);
      expect(await other.innerText()).toContain('password + one-time code');
      await other.getByRole('button', { name: 'Revoke' }).click();
      await visible(admin.getByRole('status').getByText(`Ended a session of ${OPERATOR.username}.`));
      await expect.poll(() => other.count(), { timeout: STEP_MS }).toBe(0);

      // The operator's tab still holds its tokens; its next API call is refused, the refresh too.
      await nav(operatorPage, 'Users').click();
      await operatorPage.waitForURL('**/login?next=%2Fusers');
      await visible(
        operatorPage.getByRole('alert').getByText('Your session has ended. Please sign in again.'),
      );
      expect(await operatorPage.evaluate('sessionStorage.length')).toBe(0);
      await operatorContext.close();
    });

    it('resets a password: the temporary password is shown once and the next sign-in must change it', async () => {
      await nav(admin, 'Users').click();
      await admin.getByLabel('Username, name or designation').fill('amina');
      await admin.getByRole('button', { name: 'Search' }).click();
      await admin.waitForURL('**/users?search=amina');
      await admin.getByRole('link', { name: `User ${OFFICIAL.username}, ${OFFICIAL.name}` }).click();
      await visible(admin.getByRole('heading', { name: OFFICIAL.name, level: 1 }));
      const signIn = admin.getByRole('region', { name: 'Sign-in' });
      await visible(signIn.getByText('open', { exact: true }));
      expect(await signIn.innerText()).toContain('0 in a row');

      const card = admin.getByRole('region', { name: 'Password' });
      await card.getByRole('button', { name: 'Reset password' }).click();
      await card.getByRole('button', { name: 'Reset it' }).click();
      const secret = card.getByLabel(`Temporary password of ${OFFICIAL.username}`);
      await visible(secret);
      const temporary = (await secret.innerText()).trim();
      expect(temporary.length).toBeGreaterThanOrEqual(12);
      await visible(admin.getByText('must change password', { exact: true }));

      const { context, page } = await openContext(browser, nocUrl, problems);
      await page.goto('/account');
      await page.waitForURL('**/login?next=%2Faccount');
      await submitPassword(page, OFFICIAL.username, temporary);
      await visible(page.getByRole('heading', { name: 'Choose a new password' }));
      await page.getByLabel('New password', { exact: true }).fill('amina-garden-2026-river');
      await page.getByLabel('Repeat the new password').fill('amina-garden-2026-river');
      await page.getByRole('button', { name: 'Change password and continue' }).click();
      await expect
        .poll(() => page.getByRole('alert').innerText(), { timeout: STEP_MS })
        .toContain('must not contain the username');

      await page.getByLabel('New password', { exact: true }).fill(OFFICIAL.newPassword);
      await page.getByLabel('Repeat the new password').fill(OFFICIAL.newPassword);
      await page.getByRole('button', { name: 'Change password and continue' }).click();
      await page.waitForURL('**/account');
      await visible(page.getByRole('heading', { name: 'My account', level: 1 }));
      const profile = page.getByRole('region', { name: 'Profile' });
      await visible(profile.getByText('Deputy Secretary'));
      await visible(profile.getByText(MINISTRY));
      // An official holds no NOC role: the shell says so instead of leaving every page to refuse.
      await visible(page.getByRole('complementary', { name: 'No NOC role' }));
      await context.close();

      // The temporary password is gone for good once dismissed, and the forced change is done.
      await card.getByRole('button', { name: 'Done' }).click();
      await secret.waitFor({ state: 'detached' });
      await admin.getByRole('button', { name: 'Refresh' }).click();
      await admin.getByText('must change password', { exact: true }).waitFor({ state: 'detached' });
      const old = await server.request('POST', '/api/v1/auth/login', {
        body: { username: OFFICIAL.username, password: temporary },
      });
      expect(old.status).toBe(401);
    });

    it('edits an official; a factor reset hands the officer no factor: the official enrols the new authenticator at sign-in', async () => {
      // Still on the official's page after the reset.
      const edit = admin.getByRole('form', { name: 'Edit profile' });
      await edit.getByLabel('Designation').fill('Additional Secretary');
      await edit.getByLabel('Phone').fill('+92 51 9201234');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await visible(edit.getByRole('status').getByText('Saved.'));
      const account = admin.getByRole('region', { name: 'Account' });
      await visible(account.getByText('Additional Secretary'));
      await visible(account.getByText('+92 51 9201234'));

      const factors = admin.getByRole('region', { name: 'Second factors' });
      const form = factors.getByRole('form', { name: 'Reset second factors' });
      await form.getByLabel(/^Reason/).fill('Lost her phone (e2e)');
      expect(await form.getByLabel('Also set a one-time password').isChecked()).toBe(true);
      await form.getByRole('button', { name: 'Reset second factors' }).click();
      await visible(factors.getByText(`Removed the authenticator and passkeys of ${OFFICIAL.username}`));
      const secret = factors.getByLabel(`One-time password of ${OFFICIAL.username}`);
      await visible(secret);
      const oneTime = (await secret.innerText()).trim();
      // What the officer holds is a password, never a seed or a QR code.
      expect(await factors.getByRole('img').count()).toBe(0);
      await visible(admin.getByText('enrols a new authenticator', { exact: true }));
      await admin.screenshot({ path: USER_SCREENSHOT, fullPage: true });
      await factors.getByRole('button', { name: 'Done' }).click();

      const { context, page } = await openContext(browser, nocUrl, problems);
      await page.goto('/account');
      await page.waitForURL('**/login?next=%2Faccount');
      await submitPassword(page, OFFICIAL.username, oneTime);
      await visible(page.getByRole('heading', { name: 'Choose a new password' }));
      await page.getByLabel('New password', { exact: true }).fill(OFFICIAL.newerPassword);
      await page.getByLabel('Repeat the new password').fill(OFFICIAL.newerPassword);
      await page.getByRole('button', { name: 'Change password and continue' }).click();
      await visible(page.getByRole('heading', { name: 'Set up your authenticator app' }));
      await visible(
        page.getByRole('img', { name: `QR code that adds ${OFFICIAL.username} to an authenticator app` }),
      );
      const seed = (await page.getByLabel('Secret key').innerText()).replace(/\s+/g, '');
      expect(seed).toMatch(/^[A-Z2-7]{32}$/);
      await page.getByLabel('Code from the app').fill('000000' === totpCode(seed) ? '111111' : '000000');
      await page.getByRole('button', { name: 'Confirm and sign in' }).click();
      await expect
        .poll(() => page.getByRole('alert').innerText(), { timeout: STEP_MS })
        .toContain('That code is not right');
      await page.getByLabel('Code from the app').fill(totpCode(seed));
      await page.getByRole('button', { name: 'Confirm and sign in' }).click();
      const codes = page.getByRole('list', { name: 'Recovery codes' });
      await visible(codes);
      expect(await codes.getByRole('listitem').count()).toBe(10);
      await page.getByRole('button', { name: 'I have saved them' }).click();
      await page.waitForURL('**/account');
      await visible(page.getByRole('heading', { name: 'My account', level: 1 }));
      await context.close();

      // The enrolled seed is live: the official's next sign-in asks for its code.
      const step = (await (
        await server.request('POST', '/api/v1/auth/login', {
          body: { username: OFFICIAL.username, password: OFFICIAL.newerPassword },
        })
      ).json()) as { status: string; ticket: string; factors: string[] };
      expect(step).toMatchObject({ status: 'mfa_required', factors: ['totp', 'recovery-code'] });
      const signedIn = await server.request('POST', '/api/v1/auth/login/totp', {
        body: { ticket: step.ticket, code: totpCode(seed, 1) },
      });
      expect(signedIn.status).toBe(200);
      const { accessToken } = (await signedIn.json()) as { accessToken: string };
      expect((await server.request('GET', '/api/v1/auth/me', { token: accessToken })).status).toBe(200);

      await admin.getByRole('button', { name: 'Refresh' }).click();
      await admin.getByText('enrols a new authenticator', { exact: true }).waitFor({ state: 'detached' });
      const status = admin.getByRole('region', { name: 'Status' });
      await status.getByRole('button', { name: 'Disable' }).click();
      await status.getByLabel(/^Reason/).fill('Left the ministry (e2e)');
      await status.getByRole('button', { name: 'Confirm disable' }).click();
      await visible(status.getByText('Left the ministry (e2e)'));
      await visible(status.getByText('disabled', { exact: true }));
      // Disabling ends every session at once.
      expect((await server.request('GET', '/api/v1/auth/me', { token: accessToken })).status).toBe(401);
      await visible(
        admin
          .getByRole('region', { name: 'Sessions' })
          .getByText(`${OFFICIAL.username} is not signed in anywhere.`),
      );

      await status.getByRole('button', { name: 'Enable' }).click();
      await status.getByLabel(/^Reason/).fill('Rejoined (e2e)');
      await status.getByRole('button', { name: 'Confirm enable' }).click();
      await visible(status.getByText('active', { exact: true }));
    });

    it('removing a national operator’s factors takes two administrators, each holding half the one-time password', async () => {
      // The admin's own NOC session (passkey, super-admin) creates the second administrator.
      const adminToken = (
        JSON.parse(await admin.evaluate<string>("sessionStorage.getItem('pakawaaz.noc.session')")) as {
          accessToken: string;
        }
      ).accessToken;
      const created = await server.request('POST', '/api/v1/users', {
        token: adminToken,
        body: {
          kind: 'operator',
          username: APPROVER.username,
          displayName: APPROVER.name,
          password: APPROVER.password,
          roles: ['security-officer'],
        },
      });
      expect(created.status).toBe(201);

      await nav(admin, 'Users').click();
      await admin.getByLabel('Username, name or designation').fill(OPERATOR.username);
      await admin.getByRole('button', { name: 'Search' }).click();
      await admin.getByRole('link', { name: `User ${OPERATOR.username}, ${OPERATOR.name}` }).click();
      const factors = admin.getByRole('region', { name: 'Second factors' });
      await visible(factors.getByText('This operator holds a national role', { exact: false }));
      await factors.getByLabel(/^Reason/).fill('Phone stolen (e2e)');
      await factors.getByRole('button', { name: 'Ask for a factor reset' }).click();
      await visible(factors.getByText('another administrator must approve', { exact: false }));
      const first = factors.getByLabel(`First half of the one-time password of ${OPERATOR.username}`);
      const partA = (await first.innerText()).trim();
      expect(partA).toMatch(/^[\w-]{12}$/);
      await factors.getByRole('button', { name: 'Done' }).click();
      // Nothing happened yet: the operator's TOTP is still there.
      await visible(admin.getByRole('region', { name: 'Sign-in' }).getByText('TOTP', { exact: true }));

      // The requester sees the request, but only another administrator can decide it.
      await nav(admin, 'Users').click();
      const pendingForAdmin = admin.getByRole('region', { name: 'Factor resets waiting for approval' });
      const row = pendingForAdmin.getByRole('row').filter({ hasText: OPERATOR.username });
      await visible(row.getByText('another administrator decides'));
      expect(await row.getByRole('button', { name: /^Approve/ }).count()).toBe(0);

      // The approver signs in with a passkey (security-officer needs one here) and approves.
      const { context, page } = await openContext(browser, nocUrl, problems);
      const cdp: CDPSession = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
        },
      });
      await page.goto('/account');
      await submitPassword(page, APPROVER.username, APPROVER.password);
      await page.waitForURL('**/account');
      const passkeys = page.getByRole('region', { name: 'Passkeys' });
      await passkeys.getByLabel(/^Name/).fill('Approver key (e2e)');
      await passkeys.getByRole('button', { name: 'Add a passkey' }).click();
      await visible(passkeys.getByRole('status').getByText('Added the passkey “Approver key (e2e)”.'));
      await page
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('button', { name: 'Sign out' })
        .click();
      await page.waitForURL('**/login');
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL('**/system');
      await nav(page, 'Users').click();
      const pending = page.getByRole('region', { name: 'Factor resets waiting for approval' });
      await pending.getByRole('button', { name: `Approve the factor reset of ${OPERATOR.username}` }).click();
      await pending.getByRole('button', { name: 'Approve it' }).click();
      const second = pending.getByLabel(`Second half of the one-time password of ${OPERATOR.username}`);
      await visible(second);
      const partB = (await second.innerText()).trim();
      expect(partB).toMatch(/^[\w-]{12}$/);
      await context.close();

      // Neither half alone is the password; both together are, and only a new password comes next.
      const login = (password: string) =>
        server.request('POST', '/api/v1/auth/login', { body: { username: OPERATOR.username, password } });
      expect((await login(partB)).status).toBe(401);
      const both = (await (await login(partA + partB)).json()) as { status: string };
      expect(both.status).toBe('password_change_required');
    });

    it('alarms on an account under attack and keeps its owner in: a passkey still signs in', async () => {
      // Someone guesses the admin's password up to the guess limit (set to 5 for this server).
      for (let i = 0; i < GUESS_LIMIT; i++)
        expect(
          (
            await server.request('POST', '/api/v1/auth/login', {
              body: { username: 'admin', password: `guess-${i}-of-an-attacker` },
            })
          ).status,
        ).toBe(401);

      await nav(admin, 'Users').click();
      await admin.getByRole('button', { name: 'Refresh' }).click();
      const alarm = admin.getByRole('region', { name: 'Accounts under attack' });
      await visible(alarm.getByText('1 account is under attack'));
      await alarm.getByRole('link', { name: 'Show the accounts under attack' }).click();
      await admin.waitForURL('**/users?attack=1');
      const table = admin.getByRole('region', { name: 'All users' }).getByRole('table');
      const row = table.getByRole('row').filter({ has: admin.getByRole('link', { name: /^User admin,/ }) });
      await visible(row.getByText('under attack'));
      expect(await table.getByRole('row').count()).toBe(2); // the header and admin

      // The admin is not locked out: sign out, and the passkey signs in (the password alone would not).
      await admin
        .getByRole('navigation', { name: 'Operator menu' })
        .getByRole('button', { name: 'Sign out' })
        .click();
      await admin.waitForURL('**/login');
      // The guesses came from this machine too: its back-off (1 s after the limit's failure) passes first.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await submitPassword(admin, 'admin', server.adminPassword);
      await expect
        .poll(() => admin.getByRole('alert').innerText(), { timeout: STEP_MS })
        .toContain('sign in with one of those first');
      await admin.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await admin.waitForURL('**/system');

      // The officer looks, then reopens the password step.
      await nav(admin, 'Users').click();
      await admin.getByRole('link', { name: /^User admin,/ }).click();
      const signIn = admin.getByRole('region', { name: 'Sign-in' });
      await visible(signIn.getByText('under attack'));
      await signIn.getByRole('button', { name: 'Reopen the password step' }).click();
      await signIn.getByRole('button', { name: 'Reopen it' }).click();
      await visible(signIn.getByText('open', { exact: true }));
      expect(
        (
          await server.request('POST', '/api/v1/auth/login', {
            body: { username: 'admin', password: server.adminPassword },
          })
        ).status,
      ).toBe(200);
    });

    it('logged no page errors or CSP violations, and no console errors beyond the refusals it provoked', () => {
      // Chromium logs each refused call as a failed resource: the wrong confirmation codes (in My account and
      // at sign-in) and the weak new password (422), the replayed TOTP code, the password on a closed
      // password step, the forged access token's calls, the revoked session's calls and its refresh (401). Which calls a refused token catches depends on timing, so this is a set.
      const refused = (p: Problem) =>
        p.kind === 'console' &&
        /Failed to load resource: the server responded with a status of 4(01|22)/.test(p.text);
      expect(problems.filter((p) => !refused(p))).toEqual([]);
      const paths = new Set(problems.filter(refused).map((p) => new URL(p.url).pathname));
      for (const expected of [
        '/api/v1/account/totp/confirm',
        '/api/v1/auth/login/totp',
        '/api/v1/auth/login/password',
        '/api/v1/auth/login/totp-enrolment',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
      ])
        expect(paths).toContain(expected);
      const tokenRefusals = [...paths].filter((p) => !p.startsWith('/api/v1/auth/') && !p.includes('/totp/'));
      expect(tokenRefusals.length).toBeGreaterThan(0);
      expect(tokenRefusals.every((p) => /^\/api\/v1\/(users|institutions|audit|auth\/me)/.test(p))).toBe(
        true,
      );
    });
  },
);
