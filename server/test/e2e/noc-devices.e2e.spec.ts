import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  labRootPaths,
  loadOrCreateLabRoot,
  SimulatedHandset,
  type LabAttestationRoot,
} from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
 * The NOC's device pages in a real browser against the real server trusting a lab attestation root: a
 * super-admin makes an enrolment token and sees its QR code, a simulated handset enrols with it, the handset
 * shows in the list as compliant, the admin sends it a lock behind a confirmation and sees it in the command
 * history; an institution's device-admin sees its own institution's handsets and not another's.
 */
const INTERIOR = 'Ministry of Interior (devices e2e)';
const FINANCE = 'Ministry of Finance (devices e2e)';
const NADIA = { username: 'nadia.rahman', displayName: 'Nadia Rahman' };
const OMAR = { username: 'omar.farooq', displayName: 'Omar Farooq' };
const FINANCE_ADMIN = { username: 'finance.devices', password: 'amber-quartz-harbour-77' };
const NADIA_IMEI = '490154203237518';
const OMAR_IMEI = '356938035643809';

describe.skipIf(!chromiumAvailable('the NOC devices browser test'))(
  'NOC device pages in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let token: string;
    let dir: string;
    let root: LabAttestationRoot;
    const handsets: SimulatedHandset[] = [];
    let nadiaDevice = '';
    const problems: Problem[] = [];

    async function api<T>(method: string, p: string, body?: unknown): Promise<T> {
      const res = await server.request(method, p, { token, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    }

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-devices-'));
      root = await loadOrCreateLabRoot(dir);
      server = await startTestServer({
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
        PAKAWAAZ_TRUST_LAB_ROOT: '1',
        PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(dir).cert,
      });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      token = await server.adminToken();
      for (const name of [INTERIOR, FINANCE]) await api('POST', '/api/v1/institutions', { name });
      for (const [person, institution] of [
        [NADIA, INTERIOR],
        [OMAR, FINANCE],
      ] as const)
        await api('POST', '/api/v1/users', {
          kind: 'official',
          ...person,
          password: 'violet-harbour-tandem-93',
          institution,
        });
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        ...FINANCE_ADMIN,
        displayName: 'Finance device admin',
        institution: FINANCE,
        roles: ['device-admin'],
      });
      // Finance's handset, enrolled outside the browser: the Finance device-admin's own.
      const omar = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
        official: OMAR.username,
      });
      const omarHandset = handset(OMAR_IMEI);
      await omarHandset.enrol(omar.token);
      await omarHandset.checkIn();
      browser = await launchChromium();
    });

    /** A simulated handset (lab-attested key) reaching the API and, over mutual TLS, the device port. */
    function handset(imei: string): SimulatedHandset {
      if (!server.devicePort.open) throw new Error('the device port is not open');
      const h = new SimulatedHandset({ apiUrl: server.url, deviceUrl: server.devicePort.url, root, imei });
      handsets.push(h);
      return h;
    }

    afterAll(async () => {
      handsets.forEach((h) => h.close());
      await browser?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('an admin makes an enrolment token with its QR code; the handset enrolled with it is compliant and takes a confirmed lock', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/devices/enrolment');
      await page.waitForURL('**/login?next=%2Fdevices%2Fenrolment');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/devices/enrolment');
      // The lab root is trusted: every page says so.
      await visible(page.getByRole('complementary', { name: 'Lab attestation root trusted' }));

      const form = page.getByRole('form', { name: 'New enrolment token' });
      await form.getByLabel('Official', { exact: true }).fill('Nadia');
      await page.getByRole('option', { name: /Nadia Rahman/ }).click();
      await form.getByLabel('Valid for (hours)').fill('24');
      await form.getByRole('button', { name: 'Create token' }).click();

      const card = page.getByRole('region', { name: `Enrolment token for ${NADIA.displayName}` });
      const qr = card.getByRole('img', { name: `QR code that enrols a handset for ${NADIA.displayName}` });
      await visible(qr);
      expect(await qr.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
      await visible(card.getByRole('button', { name: 'Print' }));
      const enrolToken = (await card.getByLabel('Enrolment token').innerText()).trim();
      expect(await card.getByLabel('Enrol link').innerText()).toContain(enrolToken);
      await card.getByRole('button', { name: 'Done' }).click();
      const tokenRow = page
        .getByRole('table', { name: 'Enrolment tokens' })
        .getByRole('row')
        .filter({ hasText: NADIA.displayName });
      await visible(tokenRow.getByText('unused'));

      // The handset scans the code: challenge, attested key, CSR, device certificate.
      const nadia = handset(NADIA_IMEI);
      nadiaDevice = (await nadia.enrol(enrolToken)).deviceId;
      // Its first check-in over mutual TLS: compliant, with the patch level it reports.
      expect((await nadia.checkIn()).compliance.state).toBe('compliant');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await visible(tokenRow.getByText('used', { exact: true }));

      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Handsets', exact: true })
        .click();
      const row = page
        .getByRole('table', { name: 'Devices' })
        .getByRole('row')
        .filter({ hasText: NADIA.displayName });
      await visible(row);
      expect(await row.innerText()).toContain(INTERIOR);
      await visible(row.getByText('compliant', { exact: true }));
      await visible(row.getByText('active', { exact: true }));
      // The patch level it reported at check-in, a filter of the list (kept in the address).
      await visible(row.getByText('2025-11', { exact: true }));
      await page.getByLabel('Patch level', { exact: true }).selectOption('2025-11');
      await page.waitForURL('**/devices?patchLevel=2025-11');
      await visible(row);

      await row.getByRole('link', { name: new RegExp(`^Device of ${NADIA.displayName}`) }).click();
      await page.waitForURL(`**/devices/${nadiaDevice}`);
      await visible(page.getByRole('region', { name: 'Attestation' }).getByText('StrongBox'));
      await visible(page.getByRole('region', { name: 'Handset' }).getByText(NADIA_IMEI));
      await visible(
        page.getByRole('region', { name: 'Device certificate' }).getByText('valid', { exact: true }),
      );

      const send = page.getByRole('form', { name: 'Send a command' });
      await send.getByLabel('Command', { exact: true }).selectOption('lock');
      await send.getByRole('button', { name: 'Review…' }).click();
      const confirm = page.getByRole('group', { name: 'Confirm: Lock the screen' });
      await visible(confirm.getByText('Send “Lock the screen” to this handset?'));
      await confirm.getByRole('button', { name: 'Send: Lock the screen' }).click();
      await visible(page.getByText('Lock the screen: queued.'));
      const history = page.getByRole('table', { name: 'Command history' });
      const lock = history.getByRole('row').filter({ hasText: 'Lock the screen' });
      await visible(lock.getByText('queued', { exact: true }));
      // Who sent it, by their display name in the directory.
      expect(await lock.innerText()).toContain('NOC Administrator');

      const commands = await api<{ commands: { type: string; state: string }[] }>(
        'GET',
        `/api/v1/devices/${nadiaDevice}/commands`,
      );
      expect(commands.commands).toMatchObject([{ type: 'lock', state: 'queued' }]);

      // The handset gets the lock at its next check-in, obeys it and acknowledges it at the one after: the
      // open page follows the command until it is done.
      await nadia.checkIn();
      expect(nadia.state.locked).toBe(true);
      await nadia.checkIn();
      await visible(lock.getByText('succeeded', { exact: true }));
      expectNoProblems(problems);
      await page.context().close();
    });

    it("an institution's device-admin sees its own institution's handsets, not another's", async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, FINANCE_ADMIN.username, FINANCE_ADMIN.password);
      // Holding device-admin alone, the operator starts on Devices.
      await page.waitForURL('**/devices');
      const table = page.getByRole('table', { name: 'Devices' });
      await visible(table.getByRole('row').filter({ hasText: OMAR.displayName }));
      expect(await table.getByRole('row').filter({ hasText: NADIA.displayName }).count()).toBe(0);
      expect(await page.getByLabel('Institution', { exact: true }).count()).toBe(0);

      // Another institution's handset, even by its address, is not found.
      await page.goto(`/devices/${nadiaDevice}`);
      await visible(page.getByRole('heading', { name: 'Device not found', level: 1 }));
      expectNoProblems(problems, (p) => p.kind === 'console' && p.text.includes('404'));
      await page.context().close();
    });
  },
);
