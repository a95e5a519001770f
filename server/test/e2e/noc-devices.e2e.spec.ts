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
import { DATABASE, sql, type DatabaseHandle } from '@pakawaaz/platform';
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
 * history (named by the admin's display name); an institution's device-admin sees its own institution's
 * handsets and not another's; the admin saves the national policy, meets a 409 when it changed meanwhile and
 * saves after reloading; a wipe and a retirement go through only once the handset's identifier is typed.
 */
const INTERIOR = 'Ministry of Interior (devices e2e)';
const FINANCE = 'Ministry of Finance (devices e2e)';
const NADIA = { username: 'nadia.rahman', displayName: 'Nadia Rahman' };
const OMAR = { username: 'omar.farooq', displayName: 'Omar Farooq' };
const FINANCE_ADMIN = { username: 'finance.devices', password: 'amber-quartz-harbour-77' };
const NADIA_IMEI = '490154203237518';
const OMAR_IMEI = '356938035643809';
const OMAR_MODEL = 'pkz-field-2';

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
    let nadiaHandset: SimulatedHandset | undefined;
    const problems: Problem[] = [];

    const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
      server.json<T>(method, p, { token: token, body });

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
      const omarHandset = handset(OMAR_IMEI, OMAR_MODEL);
      await omarHandset.enrol(omar.token);
      await omarHandset.checkIn();
      browser = await launchChromium();
    });

    /** A simulated handset (lab-attested key) reaching the API and, over mutual TLS, the device port. */
    function handset(imei: string, model?: string): SimulatedHandset {
      if (!server.devicePort.open) throw new Error('the device port is not open');
      const h = new SimulatedHandset({
        apiUrl: server.url,
        deviceUrl: server.devicePort.url,
        root,
        imei,
        ...(model ? { model } : {}),
      });
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
      nadiaHandset = nadia;
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
      // The fleet's OS: a column for the patch month it reports on the chart, and the build it runs.
      const os = page.getByRole('region', { name: 'Operating system' });
      await visible(os.getByRole('img', { name: /^Security patch level: .*2025-11 \d+ devices/ }));
      await visible(os.getByRole('table', { name: 'OS build' }).getByText('PKZ.250101.001'));
      // The patch level it reported at check-in, a filter of the list (kept in the address).
      await visible(row.getByText('2025-11', { exact: true }));
      await page.getByLabel('Patch level', { exact: true }).selectOption('2025-11');
      await page.waitForURL('**/devices?patchLevel=2025-11');
      await visible(row);

      // Institution, compliance and model filter the list too (each kept in the address): Finance's handset
      // is another model, and made non-compliant here, so each filter shows one of the two handsets.
      const financeId = (
        await api<{ institutions: { id: string; name: string }[] }>('GET', '/api/v1/institutions')
      ).institutions.find((i) => i.name === FINANCE)!.id;
      await server.app
        .get<DatabaseHandle>(DATABASE)
        .db.execute(
          sql`update device_mgmt.devices set compliance = 'non_compliant', compliance_reasons = '["CHECK_IN_OVERDUE"]'::jsonb, non_compliant_since = now() where imei = ${OMAR_IMEI}`,
        );
      await page.goto('/devices');
      const omarRow = page
        .getByRole('table', { name: 'Devices' })
        .getByRole('row')
        .filter({ hasText: OMAR.displayName });
      await visible(row);
      await visible(omarRow);
      const only = async (shown: typeof row, hidden: typeof row) => {
        await visible(shown);
        await expect.poll(() => hidden.count()).toBe(0);
      };
      await page.getByLabel('Institution', { exact: true }).selectOption(financeId);
      await page.waitForURL(`**/devices?institution=${financeId}`);
      await only(omarRow, row);
      await page.goto('/devices');
      await page.getByLabel('Compliance', { exact: true }).selectOption('compliant');
      await page.waitForURL('**/devices?compliance=compliant');
      await only(row, omarRow);
      await page.getByLabel('Compliance', { exact: true }).selectOption('non_compliant');
      await page.waitForURL('**/devices?compliance=non_compliant');
      await only(omarRow, row);
      await page.goto('/devices');
      await page.getByLabel('Model', { exact: true }).selectOption(OMAR_MODEL);
      await page.waitForURL(`**/devices?model=${OMAR_MODEL}`);
      await only(omarRow, row);
      await page.goto('/devices');
      await visible(row);

      await row.getByRole('link', { name: new RegExp(`^Device of ${NADIA.displayName}`) }).click();
      await page.waitForURL(`**/devices/${nadiaDevice}`);
      await visible(page.getByRole('region', { name: 'Attestation' }).getByText('StrongBox'));
      await visible(page.getByRole('region', { name: 'Handset' }).getByText(NADIA_IMEI));
      await visible(
        page.getByRole('region', { name: 'Device certificate' }).getByText('valid', { exact: true }),
      );
      // The apps its check-in reported (the simulator's agent, until the store installs more).
      const apps = page.getByRole('region', { name: 'Apps' }).getByRole('table', { name: /Installed apps/ });
      await visible(apps.getByRole('row').filter({ hasText: 'org.pakawaaz.agent' }));

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

    type Policy = { version: number; settings: Record<string, unknown> };
    const national = () => api<Policy>('GET', '/api/v1/device-policies/national');

    it('an admin saves the national policy; a change made meanwhile is a 409 with a reload, then saves', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/devices/policies');
      await page.waitForURL('**/login?next=%2Fdevices%2Fpolicies');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/devices/policies');
      const form = page.getByRole('form', { name: 'Device policy' });
      const before = await national();

      // Every setting of the table-driven form is there, under its label.
      for (const label of [
        'A secure screen lock is required',
        'Minimum PIN/password length',
        'Camera allowed',
        'Required apps',
        'Check-in interval (minutes)',
      ])
        await visible(form.getByLabel(label, { exact: true }));
      await visible(form.getByLabel(/^Minimum patch level/));

      await form.getByLabel('Grace (hours)', { exact: true }).fill('12');
      await form.getByLabel('Camera allowed', { exact: true }).uncheck();
      await form.getByRole('button', { name: 'Save policy' }).click();
      await expect
        .poll(async () => (await national()).settings)
        .toMatchObject({ graceHours: 12, cameraAllowed: false });
      const saved = await national();
      expect(saved.version).toBeGreaterThan(before.version);
      // Opened again, the page shows the saved version (and nothing is still being read when the next
      // version is stored behind its back).
      await page.reload();
      const facts = page.getByRole('region', { name: 'National' });
      await visible(facts.getByText(`version ${saved.version}`, { exact: true }));
      await visible(form.getByLabel('Grace (hours)', { exact: true }));
      expect(await form.getByLabel('Grace (hours)', { exact: true }).inputValue()).toBe('12');

      // Someone else stores a version behind the open page's back.
      const meanwhile = await api<Policy>('PUT', '/api/v1/device-policies/national', {
        settings: { ...saved.settings, graceHours: 8 },
        baseVersion: saved.version,
      });
      await form.getByLabel('Check-in interval (minutes)', { exact: true }).fill('10');
      await form.getByRole('button', { name: 'Save policy' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed this policy meanwhile' });
      await visible(alert);
      expect((await national()).version).toBe(meanwhile.version);
      await alert.getByRole('button', { name: 'Reload the policy' }).click();
      await visible(facts.getByText(`version ${meanwhile.version}`, { exact: true }));
      await expect.poll(() => form.getByLabel('Grace (hours)', { exact: true }).inputValue()).toBe('8');
      await form.getByLabel('Check-in interval (minutes)', { exact: true }).fill('10');
      await form.getByRole('button', { name: 'Save policy' }).click();
      await expect
        .poll(async () => (await national()).settings)
        .toMatchObject({ graceHours: 8, checkInIntervalSeconds: 600, cameraAllowed: false });
      expect((await national()).version).toBeGreaterThan(meanwhile.version);
      expectNoProblems(problems, (p) => p.kind === 'console' && p.text.includes('409'));
      await page.context().close();
    });

    it('an admin makes a device group, adds an official by username and gives the group a policy of its own; the handset gets it', async () => {
      const institutionId = (name: string) =>
        api<{ institutions: { id: string; name: string }[] }>('GET', '/api/v1/institutions').then(
          (r) => r.institutions.find((i) => i.name === name)!.id,
        );
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/devices/groups');
      await page.waitForURL('**/login?next=%2Fdevices%2Fgroups');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/devices/groups');
      const create = page.getByRole('form', { name: 'New device group' });
      await create.getByLabel('Name', { exact: true }).fill('Field officers');
      await create.getByLabel('Institution', { exact: true }).selectOption(await institutionId(INTERIOR));
      await create.getByRole('button', { name: 'Create group' }).click();
      await page.waitForURL(/\/devices\/groups\/[0-9a-f-]{36}$/);
      const groupId = new URL(page.url()).pathname.split('/').pop()!;
      await visible(page.getByRole('heading', { name: 'Field officers', level: 1 }));

      // Operators pick people by name: the official's username adds her handset.
      const add = page.getByRole('form', { name: 'Add handsets' });
      await add.getByLabel('Officials or device ids').fill(NADIA.username);
      await add.getByRole('button', { name: 'Add to the group' }).click();
      const members = page.getByRole('table', { name: 'Group members' });
      await visible(members.getByRole('row').filter({ hasText: NADIA.username }));

      // The policy editor, reused for the group: saving stores the group's own version.
      const form = page.getByRole('form', { name: 'Device policy' });
      await visible(page.getByText('Saving gives this group a policy of its own', { exact: false }));
      await form.getByLabel('Screenshots allowed', { exact: true }).uncheck();
      await form.getByRole('button', { name: 'Save policy' }).click();
      type GroupPolicy = { version: number; source: string; settings: Record<string, unknown> };
      const groupPolicy = () => api<GroupPolicy>('GET', `/api/v1/device-groups/${groupId}/policy`);
      await expect.poll(async () => (await groupPolicy()).source).toBe('group');
      const stored = await groupPolicy();
      expect(stored.settings).toMatchObject({ screenshotsAllowed: false });
      // The handset in the group receives it at its next check-in.
      const reply = await nadiaHandset!.checkIn();
      expect(reply.policy).toMatchObject({
        version: stored.version,
        settings: { screenshotsAllowed: false },
      });

      await page.getByRole('link', { name: '← Device groups' }).click();
      const listed = page
        .getByRole('table', { name: 'Device groups' })
        .getByRole('row')
        .filter({ hasText: 'Field officers' });
      await visible(listed);
      expect(await listed.innerText()).toContain(INTERIOR);
      expectNoProblems(problems);
      await page.context().close();

      // Finance's device-admin does not see Interior's group, even by its address.
      const other = await openContext(browser, server.url, problems);
      await other.page.goto('/login');
      await submitPassword(other.page, FINANCE_ADMIN.username, FINANCE_ADMIN.password);
      await other.page.waitForURL('**/devices');
      await other.page.goto('/devices/groups');
      await visible(other.page.getByText('No device groups yet.'));
      await other.page.goto(`/devices/groups/${groupId}`);
      await visible(other.page.getByRole('heading', { name: 'Device group not found', level: 1 }));
      // Closed before the check: the page's other reads of the group (its policy) may answer 404 after the heading
      // shows, and a 404 logged after the check was reported by the next test as its own problem.
      await other.page.context().close();
      expectNoProblems(problems, (p) => p.kind === 'console' && p.text.includes('404'));
    });

    it('an admin wipes a handset, declares it lost and retires another, each only after typing its identifier', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto(`/devices/${nadiaDevice}`);
      await page.waitForURL('**/login?next=*');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL(`**/devices/${nadiaDevice}`);

      const send = page.getByRole('form', { name: 'Send a command' });
      await send.getByLabel('Command', { exact: true }).selectOption('wipe');
      await send.getByRole('button', { name: 'Review…' }).click();
      const confirm = page.getByRole('group', { name: 'Confirm: Wipe (factory reset)' });
      await visible(confirm.getByText('Wipe this handset?', { exact: false }));
      const wipe = confirm.getByRole('button', { name: 'Send: Wipe (factory reset)' });
      const expected = (await confirm.locator('label code').innerText()).trim();
      expect(await wipe.isDisabled()).toBe(true);
      await confirm.getByLabel(/to confirm/).fill(`${expected}0`);
      expect(await wipe.isDisabled()).toBe(true);
      await confirm.getByLabel(/to confirm/).fill(expected);
      await wipe.click();
      await visible(page.getByText('Wipe (factory reset): queued.'));
      const history = page.getByRole('table', { name: 'Command history' });
      await visible(
        history
          .getByRole('row')
          .filter({ hasText: 'Wipe (factory reset)' })
          .getByText('queued', { exact: true }),
      );
      const commands = await api<{ commands: { type: string; state: string }[] }>(
        'GET',
        `/api/v1/devices/${nadiaDevice}/commands`,
      );
      expect(commands.commands.map((c) => [c.type, c.state])).toContainEqual(['wipe', 'queued']);

      // The same handset declared lost, behind the same typed confirmation: its certificate is revoked at once.
      const lostSection = page.getByRole('region', { name: 'Declare this handset lost' });
      await lostSection.getByRole('button', { name: 'Declare lost…' }).click();
      const lost = page.getByRole('form', { name: 'Declare the handset lost' });
      const declare = lost.getByRole('button', { name: 'Declare the handset lost' });
      await lost.getByLabel('Reason (optional)').fill('stolen from a car');
      expect(await declare.isDisabled()).toBe(true);
      await lost.getByLabel(/to confirm/).fill((await lost.locator('label code').innerText()).trim());
      await declare.click();
      await expect
        .poll(async () => {
          const d = await api<{ state: string; certificates: { status: string }[] }>(
            'GET',
            `/api/v1/devices/${nadiaDevice}`,
          );
          return [d.state, d.certificates.map((c) => c.status)];
        })
        .toEqual(['lost', ['revoked']]);
      // Nothing left to revoke: the page no longer offers it.
      await expect.poll(() => lostSection.count()).toBe(0);

      // Finance's handset: retired with a reason, behind the same typed confirmation.
      const list = await api<{ devices: { id: string; imei: string | null }[] }>('GET', '/api/v1/devices');
      const omarDevice = list.devices.find((d) => d.imei === OMAR_IMEI)?.id ?? '';
      expect(omarDevice).not.toBe('');
      await page.goto(`/devices/${omarDevice}`);
      const section = page.getByRole('region', { name: 'Retire this handset' });
      await section.getByRole('button', { name: 'Retire…' }).click();
      const retire = page.getByRole('form', { name: 'Retire the handset' });
      const submit = retire.getByRole('button', { name: 'Retire the handset' });
      await retire.getByLabel('Reason', { exact: true }).fill('returned, screen broken');
      expect(await submit.isDisabled()).toBe(true);
      const value = (await retire.locator('label code').innerText()).trim();
      await retire.getByLabel(/to confirm/).fill(value);
      await submit.click();
      await expect
        .poll(async () => (await api<{ state: string }>('GET', `/api/v1/devices/${omarDevice}`)).state)
        .toBe('retired');
      await visible(page.getByText('retired', { exact: true }).first());
      expectNoProblems(problems);
      await page.context().close();
    });
  },
);
