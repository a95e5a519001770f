import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeSim, simCsv } from '@pakawaaz/test-support';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const SIMS_SCREENSHOT = process.env.PAKAWAAZ_NOC_SIMS_SCREENSHOT ?? '/tmp/noc-sims.png';
const SUBSCRIBER_SCREENSHOT = process.env.PAKAWAAZ_NOC_SUBSCRIBER_SCREENSHOT ?? '/tmp/noc-subscriber.png';
const NETWORK_SCREENSHOT = process.env.PAKAWAAZ_NOC_NETWORK_SCREENSHOT ?? '/tmp/noc-network.png';

const SIM_COUNT = 300;
const SIMS = Array.from({ length: SIM_COUNT }, (_, i) => fakeSim(i + 1));
// Line 1 is the header, the SIMs are lines 2-301, so the two bad rows are lines 302 and 303.
const EXTRA = fakeSim(9_999);
const BAD_ROWS = [
  `${EXTRA.imsi.slice(1)},${EXTRA.iccid},${EXTRA.k},${EXTRA.opc}`, // a 14-digit IMSI
  `${EXTRA.imsi},${EXTRA.iccid},${EXTRA.k.slice(1)},${EXTRA.opc}`, // a 31-hex-digit K
];
const BAD_LINES = [SIM_COUNT + 2, SIM_COUNT + 3];
const ASSIGNED = SIMS[0]!.imsi;

/** The SIM import checks IMSIs against the network spec's PLMN: the server must have applied the demo spec. */
async function assertDemoNetwork(server: TestServer): Promise<void> {
  const token = await server.adminToken();
  const current = await server.request('GET', '/api/v1/network/spec', { token });
  if (current.status !== 200)
    throw new Error(
      `the demo network spec was not applied on first start: GET /api/v1/network/spec answered ${current.status}`,
    );
  const { spec } = (await current.json()) as { spec: { plmn: { mcc: string; mnc: string } } };
  expect(`${spec.plmn.mcc}/${spec.plmn.mnc}`).toBe('001/01');
}

/** The person the SIM goes to: an active official of a ministry, found in the NOC by typing her name. */
async function addOfficial(server: TestServer): Promise<void> {
  const token = await server.adminToken();
  const ministry = await server.request('POST', '/api/v1/institutions', {
    token,
    body: { name: 'Ministry of Planning (e2e)' },
  });
  expect(ministry.status).toBe(201);
  for (const [username, displayName] of [
    ['amina.qureshi', 'Amina Qureshi'],
    ['amin.rauf', 'Amin Rauf'],
  ])
    expect(
      (
        await server.request('POST', '/api/v1/users', {
          token,
          body: {
            kind: 'official',
            username,
            displayName,
            password: 'amber-orchard-violin-7',
            institution: 'Ministry of Planning (e2e)',
          },
        })
      ).status,
    ).toBe(201);
}

describe.skipIf(!chromiumAvailable('the NOC core-network browser tests'))(
  'NOC core network pages in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let workDir: string;
    let csvFile: string;
    const problems: Problem[] = [];

    beforeAll(async () => {
      workDir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-sims-'));
      csvFile = path.join(workDir, 'vendor-batch-e2e.csv');
      await writeFile(csvFile, simCsv(SIMS, BAD_ROWS));
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error(
          'The NOC is not built (noc/dist/index.html is missing): run `node scripts/build.mjs --if-needed` first.',
        );
      await assertDemoNetwork(server);
      await addOfficial(server);
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
      if (workDir) await rm(workDir, { recursive: true, force: true });
    });

    it('signs in and opens the SIM inventory from the Core network group', async () => {
      await page.goto('/login');
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(server.adminPassword);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL('**/system');

      const coreNetwork = page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('list', { name: 'Core network' });
      expect(await coreNetwork.getByRole('link').allInnerTexts()).toEqual([
        'SIM inventory',
        'Subscribers',
        'Profiles',
        'Network',
      ]);
      await coreNetwork.getByRole('link', { name: 'SIM inventory' }).click();
      await page.waitForURL('**/sims');
      await visible(page.getByRole('heading', { name: 'SIM inventory', level: 1 }));
      await visible(page.getByText('No SIMs yet: import a vendor batch above.'));
      expect(await page.getByText(/imsi,iccid,ki,opc/).count()).toBe(1);
    });

    it('imports a vendor batch with a live progress bar, a summary and the rejected rows', async () => {
      await page.getByLabel('SIM batch file (CSV)').setInputFiles(csvFile);
      const importButton = page.getByRole('button', { name: 'Import', exact: true });
      await importButton.click();

      const progress = page.getByRole('progressbar', { name: /Import of vendor-batch-e2e\.csv/ });
      await visible(progress);
      await expect
        .poll(async () => [await progress.getAttribute('value'), await progress.getAttribute('max')], {
          timeout: 20_000,
        })
        .toEqual([String(SIM_COUNT + 2), String(SIM_COUNT + 2)]);
      await visible(
        page.getByRole('status').getByText(`Completed: ${SIM_COUNT + 2} of ${SIM_COUNT + 2} rows processed`),
      );
      await expect.poll(() => importButton.isDisabled()).toBe(true); // no file chosen any more

      // innerText is as rendered (the labels are upper-cased by CSS), so compare case-insensitively.
      const summary = (await page.getByLabel('Import summary').innerText())
        .replace(/\s+/g, ' ')
        .toLowerCase();
      expect(summary).toContain(`imported ${SIM_COUNT}`);
      expect(summary).toContain('duplicates 0');
      expect(summary).toContain('conflicts 0');
      expect(summary).toContain('invalid 2');

      const rejected = page.getByRole('table', { name: /Rejected rows/ });
      const lines = (await rejected.locator('tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
      expect(lines).toEqual(BAD_LINES.map(String));
      expect(await rejected.innerText()).toMatch(/IMSI must be 15 digits/);
      expect(await rejected.innerText()).toMatch(/K must be 32 hex digits/);

      // The counts and the recent imports reload once the job has finished.
      const counts = page.getByRole('region', { name: 'Inventory counts' });
      await expect
        .poll(async () => (await counts.innerText()).replace(/\s+/g, ' ').toLowerCase())
        .toContain(`available ${SIM_COUNT}`);
      const recent = page.getByRole('region', { name: 'Recent imports' });
      await visible(recent.getByRole('cell', { name: 'vendor-batch-e2e.csv', exact: true }));

      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: SIMS_SCREENSHOT, fullPage: false });
    });

    it('lists the imported SIMs page by page and never shows a K or an OPc', async () => {
      const sims = page.getByRole('region', { name: 'SIM cards' });
      await visible(sims.getByRole('cell', { name: SIMS[0]!.imsi, exact: true }));
      // 100 per page: "Load more" twice shows all 300, then the button goes away.
      for (let shown = 100; shown < SIM_COUNT; shown += 100) {
        await sims.getByRole('button', { name: 'Load more' }).click();
        await visible(sims.getByText(`${shown + 100} SIMs shown`));
      }
      expect(await sims.getByRole('button', { name: 'Load more' }).count()).toBe(0);

      const text = await page.locator('body').innerText();
      const html = (await page.content()).toLowerCase();
      const missing = SIMS.filter((s) => !text.includes(s.imsi)).map((s) => s.imsi);
      expect(missing).toEqual([]);
      expect(text).toContain(SIMS[SIM_COUNT - 1]!.iccid);
      const leaked = SIMS.flatMap((s) => [s.k, s.opc]).filter(
        (hex) => text.toLowerCase().includes(hex) || html.includes(hex),
      );
      expect(leaked).toEqual([]);
      const headers = (await sims.getByRole('columnheader').allInnerTexts()).map((h) =>
        h.trim().toUpperCase(),
      );
      expect(headers).toEqual(['IMSI', 'ICCID', 'MSISDN', 'BATCH', 'STATUS', 'ADDED']);

      // Prefix search on the IMSI narrows the table to one SIM.
      await sims.getByLabel('IMSI, ICCID or MSISDN starts with').fill(SIMS[149]!.imsi);
      await sims.getByRole('button', { name: 'Search' }).click();
      await visible(sims.getByText('1 SIM shown'));
      expect(await sims.getByRole('row').count()).toBe(2); // header + one SIM
    });

    it('assigns a SIM to an official found by typing her name, opens the subscriber and bars it with a reason', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Subscribers', exact: true })
        .click();
      await page.waitForURL('**/subscribers');
      await visible(page.getByRole('heading', { name: 'Subscribers', level: 1 }));

      const assign = page.getByRole('region', { name: 'Assign a SIM' });
      await assign.getByLabel('IMSI').fill(ASSIGNED);
      // The official is chosen by name: typing shows the matching people; the keyboard picks one.
      const official = assign.getByRole('combobox', { name: 'Official' });
      const submit = assign.getByRole('button', { name: 'Assign SIM' });
      expect(await submit.isDisabled()).toBe(true); // nobody chosen yet
      await official.pressSequentially('Amin');
      const matches = assign.getByRole('listbox', { name: 'Matching people' });
      await visible(matches.getByRole('option', { name: /Amina Qureshi/ }));
      await visible(matches.getByRole('option', { name: /Amin Rauf/ }));
      expect(await official.getAttribute('aria-expanded')).toBe('true');
      const amina = matches.getByRole('option', { name: /Amina Qureshi/ });
      const index = (await matches.getByRole('option').allInnerTexts()).findIndex((t) =>
        t.includes('Amina Qureshi'),
      );
      expect(await amina.innerText()).toContain('Ministry of Planning (e2e)');
      expect(index).toBeGreaterThanOrEqual(0);
      // Arrow keys move through the matches; the active one is announced through aria-activedescendant.
      for (let i = 0; i <= index; i++) await official.press('ArrowDown');
      await expect.poll(() => amina.getAttribute('aria-selected')).toBe('true');
      expect(await official.getAttribute('aria-activedescendant')).toBe(await amina.getAttribute('id'));
      await official.press('Enter');
      await expect.poll(() => official.inputValue()).toBe('Amina Qureshi (amina.qureshi)');
      expect(await official.getAttribute('aria-expanded')).toBe('false');
      await expect.poll(() => assign.getByLabel('Profile').inputValue()).toBe('default');
      await submit.click();
      await visible(assign.getByRole('status').getByText(/Assigned .* to Amina Qureshi \(amina\.qureshi\)/));
      // The form is ready for the next SIM: nobody chosen, so nothing to submit yet.
      expect(await official.inputValue()).toBe('');
      expect(await submit.isDisabled()).toBe(true);

      const list = page.getByRole('region', { name: 'Assigned SIMs' });
      await visible(list.getByRole('link', { name: `Subscriber ${ASSIGNED}, Amina Qureshi` }));
      await list.getByRole('link', { name: `Subscriber ${ASSIGNED}, Amina Qureshi` }).click();
      await page.waitForURL(`**/subscribers/${ASSIGNED}`);
      await visible(page.getByRole('heading', { name: 'Amina Qureshi', level: 1 }));
      const details = page.getByRole('region', { name: 'Subscriber', exact: true });
      const facts = await details.innerText();
      expect(facts).toContain('Ministry of Planning (e2e)');
      expect(facts).toContain('amina.qureshi');
      expect(facts).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/); // no raw ids
      const access = page.getByRole('region', { name: 'Network access' });
      await visible(access.getByText('active', { exact: true }));
      await visible(page.getByRole('region', { name: 'Open5GS' }).getByText(/^export-only$/));

      await access.getByRole('button', { name: 'Bar' }).click();
      const confirm = access.getByRole('button', { name: 'Confirm bar' });
      expect(await confirm.isDisabled()).toBe(true); // no reason yet
      await access.getByLabel(/Reason for barring/).fill('Device reported lost (e2e)');
      await confirm.click();
      await visible(access.getByText('barred', { exact: true }));
      expect(await access.innerText()).toContain('Device reported lost (e2e)');
      await visible(access.getByRole('button', { name: 'Unbar' }));
      await page.screenshot({ path: SUBSCRIBER_SCREENSHOT, fullPage: true });

      // The list agrees.
      await page.getByRole('link', { name: '← Subscribers' }).click();
      const row = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: new RegExp(ASSIGNED) }) });
      await visible(row.getByText('barred', { exact: true }));
      expect(await row.innerText()).toContain('Ministry of Planning (e2e)');
    });

    it('shows the network page, or says clearly that the network API is not there yet', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Network', exact: true })
        .click();
      await page.waitForURL('**/network');
      await visible(page.getByRole('heading', { name: 'Network', level: 1 }));
      const spec = page.getByRole('region', { name: 'Network spec' });
      await visible(spec.getByText('001/01', { exact: true }));
      const health = page.getByRole('region', { name: /^Network functions/ });
      await visible(health.getByText(/Last updated/));
    });

    it('previews every problem at once, then the diffs, and applies a weak spec only with the override', async () => {
      const apply = page.getByRole('region', { name: 'Apply a new network spec' });
      const yaml = apply.getByLabel(/^Network spec \(YAML\)/);
      const previewButton = apply.getByRole('button', { name: 'Preview changes' });
      // Prefilled with the applied spec's YAML.
      await expect.poll(() => yaml.inputValue()).toContain("mnc: '01'");
      const source = await yaml.inputValue();
      const lineOf = (text: string) => source.split('\n').findIndex((l) => l.includes(text)) + 1;

      // A format error (MNC length) and a logic error (TAC twice), listed together with their lines.
      await yaml.fill(source.replace("mnc: '01'", "mnc: '0001'").replace('tacs: [1]', 'tacs: [1, 1]'));
      await previewButton.click();
      const preview = apply.getByRole('region', { name: 'Preview', exact: true });
      const alert = preview.getByRole('alert');
      await visible(alert.getByText('2 problems to fix: nothing can be applied'));
      const issues = await alert.getByRole('listitem').allInnerTexts();
      expect(issues[0]).toMatch(
        new RegExp(`^line ${lineOf("mnc: '01'")}: plmn\\.mnc: MNC must be 2 or 3 digits`),
      );
      expect(issues[1]).toMatch(
        new RegExp(`^line ${lineOf('tacs: [1]')}: tacs\\[1\\]: TAC 1 is listed twice`),
      );
      expect(await apply.getByRole('button', { name: /^Apply as version/ }).count()).toBe(0);

      // A new short name, and null ciphering preferred: diffs, and a weak-security warning with an override.
      const renamed = /^ {2}short: .*$/m.test(source)
        ? source.replace(/^ {2}short: .*$/m, '  short: Pakawaaz E2E')
        : source.replace(/^( {2}full: .*)$/m, '$1\n  short: Pakawaaz E2E');
      await yaml.fill(renamed.replace('ciphering: [NEA2, NEA1, NEA0]', 'ciphering: [NEA0, NEA2]'));
      expect(await preview.count()).toBe(0); // an edit clears the preview
      await previewButton.click();
      const specDiff = preview.getByRole('region', { name: 'Spec changes' });
      await visible(specDiff.getByText('+  short: Pakawaaz E2E'));
      await preview.getByText('amf.yaml (changed)').click();
      await visible(
        preview.getByRole('region', { name: 'Changes to amf.yaml' }).getByText(/^\+.*NEA0, NEA2/),
      );
      await visible(apply.getByText('Weak security: a null algorithm is preferred'));
      const confirm = apply.getByRole('button', { name: 'Apply as version 2' });
      expect(await confirm.isDisabled()).toBe(true);
      await apply.getByLabel(/^Apply anyway: UEs will run without encryption/).check();
      await confirm.click();
      await visible(apply.getByRole('status').getByText(/^Applied as version 2\b/));
      expect(await apply.getByRole('alert').count()).toBe(0);

      // The spec card reloads.
      const identity = page.getByRole('region', { name: 'Identity' });
      await expect.poll(() => identity.innerText()).toMatch(/\bv2\b/);
      expect(await identity.innerText()).toContain('short name Pakawaaz E2E');
    });

    it('shows each Open5GS file the spec renders to', async () => {
      const config = page.getByRole('region', { name: 'Open5GS configuration' });
      await visible(config.getByText(/version 2\b/));
      await config.getByLabel('File').selectOption('amf.yaml');
      const amf = config.getByRole('region', { name: 'Contents of amf.yaml' });
      await expect.poll(() => amf.innerText()).toMatch(/^\s*ue: 12288$/m);
      expect(await config.locator('pre[aria-label="Contents of amf.yaml"]').count()).toBe(1);
      expect(await config.innerText()).toContain('pakawaaz open5gs render --out /etc/open5gs');

      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await config.getByRole('button', { name: 'Copy to clipboard' }).click();
      await visible(config.getByRole('status').getByText('Copied amf.yaml to the clipboard.'));
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await amf.innerText());

      await page.screenshot({ path: NETWORK_SCREENSHOT, fullPage: true });
    });

    it('rotates the key-encryption key after a confirm step', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'SIM inventory' })
        .click();
      await page.waitForURL('**/sims');
      const kek = page.getByRole('region', { name: 'Key-encryption key' });
      await kek.getByRole('button', { name: 'Rotate KEK' }).click();
      // Nothing happens before the confirm step; the safe choice has the focus.
      const cancel = kek.getByRole('button', { name: 'Cancel' });
      await visible(cancel);
      await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
      await kek.getByRole('button', { name: 'Confirm rotation' }).click();
      const status = kek.getByRole('status');
      await visible(status.getByText(/^Active KEK \S+; re-wrapped \d+ data keys?\.$/));
      const rewrapped = Number(/re-wrapped (\d+)/.exec(await status.innerText())?.[1]);
      expect(rewrapped).toBeGreaterThan(0); // the imported SIMs' data key(s)
      expect(await kek.getByRole('button', { name: 'Rotate KEK' }).isEnabled()).toBe(true);
    });

    it('says on the Subscribers page that Open5GS is export-only, and why the NOC does not export', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Subscribers', exact: true })
        .click();
      await page.waitForURL('**/subscribers');
      const sync = page.getByRole('region', { name: 'Open5GS sync' });
      await visible(sync.getByText('export-only', { exact: true }));
      expect(await sync.innerText()).toContain('pakawaaz subscribers export --out DIR');
      expect(await sync.getByRole('button', { name: 'Sync now' }).count()).toBe(0);
    });

    it('warns that the barred SIM is still in Open5GS until the export runs, and shows when it last ran', async () => {
      const sync = page.getByRole('region', { name: 'Open5GS sync' });
      await visible(sync.getByText('never', { exact: true }));
      // The SIM barred above was never exported: one change waits, a removal.
      await visible(sync.getByText('1 change', { exact: true }));
      expect(await sync.innerText()).toContain(
        '1 to remove from Open5GS (barred or unassigned), 0 new or changed',
      );
      const row = page
        .getByRole('row')
        .filter({ has: page.getByRole('link', { name: new RegExp(ASSIGNED) }) });
      await visible(row.getByText('still in Open5GS', { exact: true }));

      await page.getByRole('link', { name: `Subscriber ${ASSIGNED}, Amina Qureshi` }).click();
      await page.waitForURL(`**/subscribers/${ASSIGNED}`);
      const warning = page.getByRole('alert').filter({ hasText: 'Barred here, still active in Open5GS' });
      await visible(warning);
      expect(await warning.innerText()).toContain('pakawaaz subscribers export --out DIR');

      // A security officer runs the export (the CLI's call); the warning goes, the Subscribers page shows the run.
      const token = await server.adminToken();
      const exported = await server.request('POST', '/api/v1/open5gs/export', { token });
      expect(exported.status).toBe(200);
      expect(await exported.json()).toMatchObject({
        documents: 0,
        deletions: 1,
        deletionsFile: `{"imsi":"${ASSIGNED}"}\n`,
      });
      await page.reload();
      await visible(page.getByRole('heading', { name: 'Amina Qureshi', level: 1 }));
      await visible(
        page.getByRole('region', { name: 'Network access' }).getByText('barred', { exact: true }),
      );
      expect(await page.getByText('Barred here, still active in Open5GS').count()).toBe(0);

      await page.getByRole('link', { name: '← Subscribers' }).click();
      await visible(sync.getByText(/by admin: 0 subscribers, 1 deletions/));
      await visible(sync.getByText(/^nothing: Open5GS has every change/));
      await visible(row.getByText('barred', { exact: true }));
      expect(await row.getByText('still in Open5GS').count()).toBe(0);
    });

    it('previews a profile edit: every problem at once, then the diff and who uses it, before saving', async () => {
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Profiles', exact: true })
        .click();
      await page.waitForURL('**/subscriber-profiles');
      await page.getByRole('button', { name: 'Edit profile default' }).click();
      const json = page.getByLabel('Profile (JSON)');
      const profile = JSON.parse(await json.inputValue()) as {
        ambr: { downlink: { value: number; unit: string }; uplink: { value: number } };
        slices: { default: boolean }[];
      };
      const previewButton = page.getByRole('button', { name: 'Preview', exact: true });

      // A format error and a rule error, listed together.
      const broken = structuredClone(profile);
      broken.ambr.uplink.value = 0;
      broken.slices[0]!.default = false;
      await json.fill(JSON.stringify(broken, null, 2));
      await previewButton.click();
      const preview = page.getByRole('region', { name: 'Profile preview' });
      await visible(preview.getByText('2 problems to fix: nothing can be saved'));
      const issues = await preview.getByRole('alert').getByRole('listitem').allInnerTexts();
      expect(issues[0]).toMatch(/^ambr\.uplink\.value: /);
      expect(issues[1]).toMatch(/^slices: exactly one slice must be the default \(0 are\)/);

      const faster = structuredClone(profile);
      faster.ambr.downlink = { value: 2, unit: 'Gbps' };
      await json.fill(JSON.stringify(faster, null, 2));
      expect(await preview.count()).toBe(0); // an edit clears the preview
      await previewButton.click();
      await visible(preview.getByRole('region', { name: 'Changes to default' }).getByText('+    value: 2'));
      await visible(preview.getByText(/^1 subscriber uses this profile .*Amina Qureshi/));
      await page.getByRole('button', { name: 'Save profile' }).click();
      await visible(page.getByText(/^Saved profile default\b/));
    });

    it('unassigns the SIM after a confirmation: it leaves the list and is available again', async () => {
      await page.goto(`/subscribers/${ASSIGNED}`);
      const details = page.getByRole('region', { name: 'Subscriber', exact: true });
      await details.getByRole('button', { name: 'Unassign SIM' }).click();
      const confirm = details.getByRole('button', { name: 'Confirm unassign' });
      await visible(details.getByText(`Take SIM ${ASSIGNED} away from Amina Qureshi (amina.qureshi)?`));
      await confirm.click();
      await page.waitForURL('**/subscribers');
      const list = page.getByRole('region', { name: 'Assigned SIMs' });
      await visible(list.getByText('No SIM is assigned yet.'));
      const token = await server.adminToken();
      const sim = await server.request('GET', `/api/v1/sims?search=${ASSIGNED}`, { token });
      expect(((await sim.json()) as { sims: { status: string }[] }).sims[0]?.status).toBe('available');
    });

    it('logged no console errors, page errors or CSP violations', () => {
      // Chromium logs every HTTP error response as a console error; an invalid spec is previewed (200), never
      // sent to be applied, so there is none.
      expect(problems).toEqual([]);
    });
  },
);
