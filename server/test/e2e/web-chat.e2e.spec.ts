import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as browse from '@pakawaaz/test-support/browser';
import { startTestServer, type TestServer } from '../support/test-server.js';

const { chromiumAvailable, expectNoProblems, findPeople, launchChromium, message, openContext, pagesReport } =
  browse;
const { CHAT_MS, send, shown, startChatWith, visible } = browse;

/*
 * The officials' web chat (/chat/) in real Chromium against the real server: two officials in separate browser
 * profiles sign in and enrol their browsers as desktop devices — a non-extractable WebCrypto key, certified
 * by the device CA — and the page proves the device to the server with DPoP (token + proof, no mutual TLS);
 * the key in IndexedDB cannot be exported, and after a reload the same device is used again. An official of an
 * institution whose device policy forbids desktops is refused with desktop_devices_forbidden. Two more officials
 * then chat from their browsers (the SDK's ChatCore bundled for the page, MLS state sealed in IndexedDB): text
 * both ways, a read receipt, a file encrypted in one browser and opened in the other, a search in local history,
 * then a group with a third — each chat started from the people search, which never shows an official of an
 * institution whose directory is hidden from theirs. An enrolment asked for after the sign-in grew older than the
 * window (PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS) is refused, and the page logs the stale session out, asks
 * for the sign-in again and then enrols; its device-bound token is renewed by a DPoP-bound refresh (RFC 9449 §5)
 * and keeps serving, and once the session is revoked the refused renewal signs the page out, saying why.
 */
const MAX_AUTH_AGE_S = 30;
const PASSWORD = 'violet-harbour-tandem-93';
const OFFICIALS = [
  { username: 'aisha.malik', displayName: 'Aisha Malik', institution: 'Ministry of Interior (web chat)' },
  { username: 'bilal.khan', displayName: 'Bilal Khan', institution: 'Ministry of Interior (web chat)' },
  { username: 'dawood.shah', displayName: 'Dawood Shah', institution: 'Ministry of Defence (web chat)' },
  { username: 'chen.li', displayName: 'Chen Li', institution: 'Ministry of Interior (web chat)' },
  { username: 'farah.aziz', displayName: 'Farah Aziz', institution: 'Ministry of Interior (web chat)' },
  { username: 'gul.hassan', displayName: 'Gul Hassan', institution: 'Ministry of Interior (web chat)' },
  { username: 'hamid.raza', displayName: 'Hamid Raza', institution: 'Ministry of Interior (web chat)' },
] as const;

const enrolAndOpenChat = (page: Page, username: string) => browse.enrolAndOpenChat(page, username, PASSWORD);
const signIn = (page: Page, username: string) => browse.signIn(page, username, PASSWORD);

/** Whether the private key the page stored can be exported (it must not). A string: no DOM types here. */
const exportable = (page: Page, userId: string): Promise<string> =>
  page.evaluate(`(async () => {
    const db = await new Promise((ok, ko) => {
      const r = indexedDB.open('pakawaaz-chat');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    const d = await new Promise((ok) => {
      const r = db.transaction('devices').objectStore('devices').get(${JSON.stringify(userId)});
      r.onsuccess = () => ok(r.result);
    });
    db.close();
    if (d.keys.privateKey.extractable) return 'extractable';
    return crypto.subtle.exportKey('pkcs8', d.keys.privateKey).then(() => 'exported', (e) => 'refused: ' + e.name);
  })()`);

describe.skipIf(!chromiumAvailable('the web chat browser test'))(
  'the officials’ web chat in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let token: string;
    const ids: Record<string, string> = {};
    const problems: browse.Problem[] = [];

    beforeAll(async () => {
      server = await startTestServer({
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_DESKTOP_ENROL_MAX_AUTH_AGE_SECONDS: String(MAX_AUTH_AGE_S),
        // Short-lived tokens: the pages renew their device-bound token (DPoP refresh) within seconds.
        PAKAWAAZ_ACCESS_TOKEN_TTL_SECONDS: '60',
      });
      token = await server.adminToken();
      for (const name of new Set(OFFICIALS.map((o) => o.institution))) {
        const inst = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
          token,
          body: { name },
        });
        ids[name] = inst.id;
      }
      for (const o of OFFICIALS) {
        const u = await server.json<{ id: string }>('POST', '/api/v1/users', {
          token,
          body: {
            kind: 'official',
            username: o.username,
            displayName: o.displayName,
            password: PASSWORD,
            institution: ids[o.institution],
          },
        });
        ids[o.username] = u.id;
      }
      await server.json('PUT', `/api/v1/device-policies/${ids['Ministry of Defence (web chat)']}`, {
        token,
        body: { settings: { allowDesktop: false } },
      });
      browser = await launchChromium();
    }, 120_000);

    /** The ids of an official's live sessions. */
    const liveSessions = async (username: string) =>
      (
        await server.json<{ sessions: { id: string; userId: string }[] }>('GET', '/api/v1/sessions', {
          token: await server.adminToken(), // a fresh one: tokens live 60 s here, a slow run outlives one
        })
      ).sessions
        .filter((x) => x.userId === ids[username])
        .map((x) => x.id);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') console.error(await pagesReport(browser, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('two officials in separate profiles enrol their browsers as desktop devices and prove them with DPoP', async () => {
      const enrolled: string[] = [];
      for (const o of OFFICIALS.slice(0, 2)) {
        const { context, page } = await openContext(browser, server.url, problems);
        await signIn(page, o.username);
        await page.getByRole('button', { name: 'Enrol this browser' }).click();
        const status = page.getByRole('status');
        await visible(status.getByText('This browser is desktop device'));
        const deviceId = (await status.getAttribute('data-device-id')) ?? '';
        enrolled.push(deviceId);
        expect(await exportable(page, ids[o.username]!)).toMatch(/^refused/);
        // A reload signs in again and uses the stored device: no second enrolment.
        await signIn(page, o.username);
        await visible(status.getByText(`This browser is desktop device ${deviceId}`));
        expect(await page.getByRole('button', { name: 'Enrol this browser' }).isHidden()).toBe(true);
        await context.close();
      }
      const list = await server.json<{ devices: { id: string; kind: string; official: { id: string } }[] }>(
        'GET',
        '/api/v1/devices',
        { token: await server.adminToken() },
      );
      for (const [i, id] of enrolled.entries())
        expect(list.devices.find((d) => d.id === id)).toMatchObject({
          kind: 'desktop',
          official: { id: ids[OFFICIALS[i]!.username] },
        });
      expectNoProblems(problems);
    });

    it('an official whose institution forbids desktop devices is told so', async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await signIn(page, 'dawood.shah');
      await page.getByRole('button', { name: 'Enrol this browser' }).click();
      const alert = page.getByRole('alert');
      await visible(alert.getByText('does not allow desktop devices'));
      expect(await alert.getAttribute('data-code')).toBe('desktop_devices_forbidden');
      await context.close();
      // The refused POST is the only problem the page reports (the browser logs the 403).
      expectNoProblems(problems, (p) => p.kind === 'console' && /403/.test(p.text));
    });

    it('an enrolment after the sign-in grew stale asks for the sign-in again, then enrols', async () => {
      const { context, page } = await openContext(browser, server.url, problems);
      await signIn(page, 'hamid.raza');
      await page.waitForTimeout((MAX_AUTH_AGE_S + 2) * 1000);
      const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
      await page.getByRole('button', { name: 'Enrol this browser' }).click();
      const alert = page.getByRole('alert');
      await visible(alert.getByText('Sign in again'));
      expect(await alert.getAttribute('data-code')).toBe('fresh_sign_in_required');
      // The stale session is logged out; the sign-in form is back (no reload); signing in enrols the browser
      // without another click.
      expect((await loggedOut).status()).toBe(204);
      expect(await liveSessions('hamid.raza')).toEqual([]);
      await page.getByLabel('Username', { exact: true }).fill('hamid.raza');
      await page.getByLabel('Password').fill(PASSWORD);
      const renewal = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/refresh'), {
        timeout: 30_000,
      });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await visible(page.getByRole('status').getByText('This browser is desktop device'));
      await shown(page.getByRole('heading', { name: 'Conversations' }));
      // The bound session renews its token with a proof of the device key, into a token bound to it…
      const renewed = await renewal;
      expect([renewed.status(), ((await renewed.json()) as { tokenType: string }).tokenType]).toEqual([
        200,
        'DPoP',
      ]);
      // …which the device routes take (the people search).
      await findPeople(page, 'Aisha');
      // A refused renewal (here: the session revoked by a security officer) signs the page out cleanly: the
      // sign-in form, saying why, and nothing of the session left (no chat on screen, no renewal running).
      const [live] = await liveSessions('hamid.raza');
      const signOut = page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/logout'), {
        timeout: 30_000,
      });
      await server.json('DELETE', `/api/v1/sessions/${live!}`, { token: await server.adminToken() });
      await shown(page.getByRole('alert').getByText('Signed out'));
      // The page logs out with the bound token and a proof of its key (the sign-in's token expires long before).
      const headers = (await signOut).headers();
      expect([headers.authorization?.split(' ')[0], typeof headers.dpop]).toEqual(['DPoP', 'string']);
      expect(await page.getByRole('alert').getAttribute('data-code')).toBe('refresh_token_invalid');
      await shown(page.getByRole('button', { name: 'Sign in' }));
      expect(await page.getByRole('heading', { name: 'Conversations' }).isHidden()).toBe(true);
      await context.close();
      // The refused POST is the only problem the page reports (the browser logs the 401).
      expectNoProblems(problems, (p) => p.kind === 'console' && /401/.test(p.text));
    }, 120_000);

    it('officials in separate browser contexts chat: text both ways, a read receipt, a file, local search, a group', async () => {
      const chen = await openContext(browser, server.url, problems);
      const farah = await openContext(browser, server.url, problems);
      await enrolAndOpenChat(chen.page, 'chen.li');
      await enrolAndOpenChat(farah.page, 'farah.aziz');
      const gul = await openContext(browser, server.url, problems);
      await enrolAndOpenChat(gul.page, 'gul.hassan');
      // Gul's second browser: another desktop device of hers (it learns of her leave below without asking).
      const gul2 = await openContext(browser, server.url, problems);
      await enrolAndOpenChat(gul2.page, 'gul.hassan');

      // Chen finds Farah in the people search — not Dawood of Defence, whose directory Interior may not see —
      // and starts a chat: a new MLS group, Farah's device added by its KeyPackage.
      await shown((await findPeople(chen.page, 'da')).getByText('Nobody found'));
      await startChatWith(chen.page, [{ query: 'far', displayName: 'Farah Aziz' }]);
      await send(chen.page, 'Salam from Chen, the budget note is ready');

      // Farah's browser joined by the Welcome: the conversation is listed, the message decrypted there.
      await farah.page.getByRole('button', { name: /^Chat with / }).click();
      // The conversation opened (were it not, the wait below could only say the message is not shown).
      await visible(farah.page.getByRole('heading', { name: /^Chat with / }));
      await shown(message(farah.page, 'Salam from Chen, the budget note is ready'));
      // Opened on screen: Farah's browser sends a read receipt, which Chen's shows.
      await shown(message(chen.page, 'Salam from Chen').getByText('Read', { exact: true }));

      await send(farah.page, 'Thank you Chen, reading it now');
      await shown(message(chen.page, 'Thank you Chen, reading it now'));

      // A file: sealed with AES-256-GCM in Chen's browser, uploaded with Chen's token, opened in Farah's.
      const content = 'Minutes of the 5 December meeting.\n'.repeat(200);
      await chen.page.getByLabel('Attach a file').setInputFiles({
        name: 'minutes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from(content),
      });
      await chen.page.getByRole('button', { name: 'Send file' }).click();
      const download = farah.page.getByRole('button', { name: 'Download minutes.txt' });
      await shown(download);
      const [file] = await Promise.all([farah.page.waitForEvent('download'), download.click()]);
      expect(file.suggestedFilename()).toBe('minutes.txt');
      expect(await readFile(await file.path(), 'utf8')).toBe(content);

      // Search in local history (the page's own index; nothing leaves the browser).
      await farah.page.getByLabel('Search history').fill('budget');
      await farah.page.getByRole('button', { name: 'Search', exact: true }).click();
      const results = farah.page.getByRole('list', { name: 'Search results' });
      await shown(results.getByText('Salam from Chen, the budget note is ready', { exact: false }));
      expect(await results.getByRole('listitem').count()).toBe(1);

      // A group: Chen chooses two officials (one by username); both browsers join and read the message.
      await startChatWith(chen.page, [
        { query: 'Farah', displayName: 'Farah Aziz' },
        { query: 'gul.h', displayName: 'Gul Hassan' },
      ]);
      await send(chen.page, 'Group: the agenda for Monday');
      for (const g of [gul, gul2]) {
        await g.page.getByRole('button', { name: /^Chat with / }).click();
        await shown(message(g.page, 'Group: the agenda for Monday'));
      }
      await farah.page.getByRole('button', { name: /^Chat with .+, / }).click();
      await shown(message(farah.page, 'Group: the agenda for Monday'));
      await farah.page.getByRole('button', { name: /^Chat with [^,]+$/ }).click();

      // A reload restores the conversation from the sealed state in IndexedDB, and the chat goes on.
      await signIn(chen.page, 'chen.li');
      await chen.page.getByRole('button', { name: 'Chat with Farah Aziz', exact: true }).click();
      await shown(message(chen.page, 'Thank you Chen, reading it now'));
      await send(chen.page, 'Back after a reload');
      await shown(message(farah.page, 'Back after a reload'));

      // Gul leaves the group, after confirming: it leaves her list — in her other browser too, where it was on
      // screen (the server's Remove of its own leaf) — and once Chen's or Farah's browser has committed the
      // server's Removes, Farah's shows it as a chat with Chen alone (two such, with the 1:1).
      await gul.page.getByRole('button', { name: /^Chat with .+, / }).click();
      gul.page.once('dialog', (d) => void d.accept());
      await gul.page.getByRole('button', { name: 'Leave group' }).click();
      await gul.page.locator('#conversations li').first().waitFor({ state: 'detached', timeout: CHAT_MS });
      await gul.page.locator('#conversation').waitFor({ state: 'hidden', timeout: CHAT_MS });
      await gul2.page.locator('#conversations li').first().waitFor({ state: 'detached', timeout: CHAT_MS });
      await gul2.page.locator('#conversation').waitFor({ state: 'hidden', timeout: CHAT_MS });
      await farah.page
        .getByRole('button', { name: /^Chat with .+, / })
        .waitFor({ state: 'detached', timeout: CHAT_MS });
      expect(await farah.page.getByRole('button', { name: /^Chat with [^,]+$/ }).count()).toBe(2);

      await chen.context.close();
      await farah.context.close();
      await gul.context.close();
      await gul2.context.close();
      // The forbidding institution's refused enrolment (above) is the only problem any page reported, but for
      // the Remove's commit that lost its epoch to the other browser's (409, rebased and found done).
      expectNoProblems(problems, (p) => p.kind === 'console' && /403|409/.test(p.text));
    }, 300_000);
  },
);
