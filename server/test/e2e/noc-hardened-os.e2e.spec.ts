import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labRootPaths, loadOrCreateLabRoot, SimulatedHandset } from '@pakawaaz/handset-simulator';
import { freeTcpPort } from '@pakawaaz/test-support';
import type { Browser, Locator, Page } from 'playwright-core';
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
 * The NOC's Hardened OS page in a real browser: the releases (model, build, channel, patch level, Android
 * version, OTA payloads) and the verified-boot key inventory with each key's status — active, retired,
 * compromised — and the count of compromised keys next to the national patch floor, with the fleet's
 * security patch levels as a chart (a lab handset enrolled and checked in, reporting 2025-11). A key marked
 * compromised through the API shows so after Refresh. A national viewer reads the same page; an
 * institution's operator has no Hardened OS entry (the registry is national).
 */
const VIEWER = { username: 'e2e-hos-viewer', password: 'granite-orchard-bell-58' };
const OFFICIAL = { username: 'e2e-hos-official', displayName: 'Hardened OS official' };
const INSTITUTION_ADMIN = { username: 'e2e-hos-ministry', password: 'copper-lagoon-thistle-35' };
const MINISTRY = 'Ministry of Registries (hardened OS e2e)';
const STABLE = 'BP1A.250105.004';
const BETA = 'AP4A.250205.002';
const KEY = {
  current: 'a1'.repeat(32),
  old: 'b2'.repeat(32),
  leaked: 'c3'.repeat(32),
};
/** 1.5 MiB: the page shows payload sizes in MiB with one decimal. */
const PAYLOAD = Buffer.alloc(3 * 2 ** 19, 0x50);

describe.skipIf(!chromiumAvailable('the NOC Hardened OS browser test'))(
  'NOC Hardened OS page in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let token: string;
    let dir: string;
    let handset: SimulatedHandset | undefined;
    const problems: Problem[] = [];

    const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
      server.json<T>(method, p, { token, body });
    const release = (model: string, buildId: string, channel: string, patch: string, version: string) =>
      api<{ id: string }>('POST', '/api/v1/os/releases', {
        model,
        buildId,
        fingerprint: `google/${model}/${model}:${version}/${buildId}/1:user/release-keys`,
        version,
        securityPatchLevel: patch,
        channel,
      });

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'pakawaaz-noc-hardened-os-'));
      const root = await loadOrCreateLabRoot(dir);
      server = await startTestServer({
        OPEN5GS_MONITOR: 'off',
        PAKAWAAZ_DEVICE_PORT: String(await freeTcpPort()),
        PAKAWAAZ_TRUST_LAB_ROOT: '1',
        PAKAWAAZ_LAB_ROOT_FILE: labRootPaths(dir).cert,
      });
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      token = await server.adminToken();
      await api('POST', '/api/v1/institutions', { name: MINISTRY });
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        ...VIEWER,
        displayName: VIEWER.username,
        roles: ['viewer'],
      });
      await api('POST', '/api/v1/users', {
        kind: 'operator',
        ...INSTITUTION_ADMIN,
        displayName: 'Ministry device admin',
        institution: MINISTRY,
        roles: ['device-admin'],
      });
      for (const [codename, name] of [
        ['shiba', 'Pixel 8'],
        ['oriole', 'Pixel 6'],
      ])
        await api('POST', '/api/v1/os/models', { codename, manufacturer: 'Google', name, strongBox: true });
      await api('POST', '/api/v1/os/boot-keys', {
        model: 'shiba',
        digest: KEY.current,
        label: 'release 2025',
      });
      await api('POST', '/api/v1/os/boot-keys', {
        model: 'shiba',
        digest: KEY.old,
        status: 'retired',
        label: 'release 2023',
      });
      await api('POST', '/api/v1/os/boot-keys', {
        model: 'oriole',
        digest: KEY.leaked,
        label: 'oriole 2024',
      });
      await api('PUT', `/api/v1/os/boot-keys/oriole/${KEY.leaked}/status`, { status: 'compromised' });
      const stable = await release('shiba', STABLE, 'stable', '2025-01-05', '15');
      const up = await fetch(`${server.url}/api/v1/os/releases/${stable.id}/payloads?kind=full`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
        body: PAYLOAD,
      });
      expect(up.status).toBe(201);
      await release('oriole', BETA, 'beta', '2025-02-05', '15');
      await api('PUT', '/api/v1/os/patch-floors', { institutionId: null, minimumPatchLevel: '2024-12' });
      // One handset of the fleet: enrolled (lab-attested), checked in with its patch level.
      await api('POST', '/api/v1/users', {
        kind: 'official',
        ...OFFICIAL,
        password: 'saffron-kettle-meadow-27',
        institution: MINISTRY,
      });
      const enrolment = await api<{ token: string }>('POST', '/api/v1/enrolment-tokens', {
        official: OFFICIAL.username,
      });
      if (!server.devicePort.open) throw new Error('the device port is not open');
      handset = new SimulatedHandset({
        apiUrl: server.url,
        deviceUrl: server.devicePort.url,
        root,
        imei: '490154203237518',
      });
      await handset.enrol(enrolment.token);
      await handset.checkIn();
      browser = await launchChromium();
    });

    afterAll(async () => {
      handset?.close();
      await browser?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    const fleetChart = (page: Page): Locator =>
      page
        .getByRole('region', { name: 'Fleet patch levels' })
        .getByRole('img', { name: /^Security patch level: .*2025-11 1 devices?/ });

    const releaseRow = (page: Page, build: string): Locator =>
      page.getByRole('table', { name: 'OS releases' }).getByRole('row').filter({ hasText: build });
    const keyRow = (page: Page, digest: string): Locator =>
      page.getByRole('table', { name: 'Verified-boot keys' }).getByRole('row').filter({ hasText: digest });
    /** The status pill of a key, read as the operator reads it. */
    async function keyStatus(page: Page, digest: string): Promise<string> {
      const cells = await keyRow(page, digest).getByRole('cell').allInnerTexts();
      return cells[2]!.trim();
    }

    it('a super-admin sees the releases, every boot key with its status and the fleet’s patch levels', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/hardened-os');
      await page.waitForURL('**/login?next=%2Fhardened-os');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/hardened-os');
      await visible(page.getByRole('heading', { name: 'Hardened OS', level: 1 }));

      await visible(releaseRow(page, STABLE));
      expect(await releaseRow(page, STABLE).innerText()).toMatch(
        new RegExp(`^shiba\\s+${STABLE}\\s+stable\\s+2025-01-05\\s+15\\s+full \\(1\\.5 MiB\\)\\s+\\S`),
      );
      expect(await releaseRow(page, STABLE).getByRole('cell').nth(1).getAttribute('title')).toBe(
        `google/shiba/shiba:15/${STABLE}/1:user/release-keys`,
      );
      expect(await releaseRow(page, BETA).innerText()).toMatch(
        new RegExp(`^oriole\\s+${BETA}\\s+beta\\s+2025-02-05\\s+15\\s+none\\s+\\S`),
      );

      await visible(keyRow(page, KEY.leaked));
      expect(await page.getByRole('table', { name: 'Verified-boot keys' }).getByRole('row').count()).toBe(4);
      expect(await keyStatus(page, KEY.current)).toBe('active');
      expect(await keyStatus(page, KEY.old)).toBe('retired');
      expect(await keyStatus(page, KEY.leaked)).toBe('compromised');
      expect(await keyRow(page, KEY.leaked).innerText()).toMatch(
        /^oriole\s+c3c3[0-9a-f]+\s+compromised\s+oriole 2024/,
      );
      await visible(page.getByText('2 model(s) · national patch floor: 2024-12 · 1 compromised key(s)'));
      await visible(fleetChart(page));

      // A key found leaked: marked compromised through the API, shown so after Refresh.
      await api('PUT', `/api/v1/os/boot-keys/shiba/${KEY.current}/status`, { status: 'compromised' });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await visible(page.getByText('2 model(s) · national patch floor: 2024-12 · 2 compromised key(s)'));
      expect(await keyStatus(page, KEY.current)).toBe('compromised');
      expect(await keyStatus(page, KEY.old)).toBe('retired');
      await page.context().close();
    });

    it('a national viewer reads the same releases and key statuses', async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, VIEWER.username, VIEWER.password);
      await page.waitForURL('**/system');
      await page.getByRole('link', { name: 'Hardened OS' }).click();
      await page.waitForURL('**/hardened-os');
      await visible(releaseRow(page, BETA));
      await visible(keyRow(page, KEY.old));
      expect(await keyStatus(page, KEY.old)).toBe('retired');
      expect(await keyStatus(page, KEY.current)).toBe('compromised');
      expect(await keyStatus(page, KEY.leaked)).toBe('compromised');
      await visible(fleetChart(page));
      await page.context().close();
    });

    it("an institution's operator has no Hardened OS entry: the registry is national", async () => {
      const { page } = await openContext(browser, server.url, problems);
      await page.goto('/login');
      await submitPassword(page, INSTITUTION_ADMIN.username, INSTITUTION_ADMIN.password);
      await page.waitForURL('**/devices');
      expect(await page.getByRole('link', { name: 'Hardened OS' }).count()).toBe(0);
      await page.context().close();
    });

    it('no page asked the server for something it refuses: no 403, no console error', () => {
      expect(problems).toEqual([]);
    });
  },
);
