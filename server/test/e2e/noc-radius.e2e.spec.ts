import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OATHTOOL, RADCLIENT, runTool, toolAvailable } from '../support/external-tools.js';
import {
  chromiumAvailable,
  launchChromium,
  openContext,
  submitPassword,
  visible,
  type Problem,
} from '../support/noc-browser.js';
import { enrolTotp, radclient as runRadclient, totpNow } from '../support/radius-world.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/*
 * An operator finds out why a RADIUS sign-in failed from the NOC alone: a real radclient sends a wrong
 * password through a registered NAS; the NAS clients page counts the reject, and following it leads to the
 * sign-in log row that says "wrong password". Then a real session: accept, accounting Start and Stop from
 * radclient, shown on the accounting page with its duration, traffic and cause.
 */
const SECRET = 'nas-shared-secret-noc-01';
const PASSWORD = 'copper-lantern-meadow-73';
const hasRadclient = toolAvailable(RADCLIENT, 'apt-get install freeradius-utils');
const hasOathtool = toolAvailable(OATHTOOL, 'apt-get install oathtool');

describe.skipIf(!chromiumAvailable('the NOC RADIUS browser test') || !hasRadclient || !hasOathtool)(
  'NOC RADIUS pages in a real browser (Debian chromium)',
  () => {
    let server: TestServer;
    let browser: Browser;
    let page: Page;
    let token: string;
    const problems: Problem[] = [];

    const api = <T>(method: string, p: string, body?: unknown): Promise<T> =>
      server.json<T>(method, p, { token: token, body });

    beforeAll(async () => {
      server = await startTestServer();
      if (!server.nocServed)
        throw new Error('The NOC is not built: run `node scripts/build.mjs --if-needed` first.');
      if (!server.radius) throw new Error('RADIUS did not start');
      token = await server.adminToken();
      const { id: institution } = await api<{ id: string }>('POST', '/api/v1/institutions', {
        name: 'Ministry of Interior',
      });
      await api('POST', '/api/v1/users', {
        kind: 'official',
        username: 'ayesha',
        displayName: 'Ayesha Khan',
        password: PASSWORD,
        institution,
      });
      await api('POST', '/api/v1/radius/clients', {
        name: 'interior-vpn',
        cidr: '127.0.0.1',
        secret: SECRET,
      });
      browser = await launchChromium();
      ({ page } = await openContext(browser, server.url, problems));
    });

    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });

    it('radclient sends a wrong password; the NOC shows the reject with reason "wrong password"', async () => {
      const r = await runTool(
        RADCLIENT,
        ['-x', '-t', '2', '-r', '1', `127.0.0.1:${server.radius!.authPort}`, 'auth', SECRET],
        'User-Name = "ayesha"\nUser-Password = "not-her-password-123456"\nMessage-Authenticator = 0x00\n',
      );
      expect(r.stdout).toContain('Received Access-Reject');
      // Events are written off the request path, within a second: wait until it is there.
      await expect
        .poll(
          async () =>
            (await api<{ events: unknown[] }>('GET', '/api/v1/auth-events?result=reject')).events.length,
          {
            timeout: 10_000,
          },
        )
        .toBe(1);

      await page.goto('/radius/clients');
      await page.waitForURL('**/login?next=%2Fradius%2Fclients');
      await submitPassword(page, 'admin', server.adminPassword);
      await page.waitForURL('**/radius/clients');
      await visible(page.getByRole('heading', { name: 'NAS clients', level: 1 }));
      const row = page.getByRole('row', { name: 'interior-vpn' });
      await visible(row);
      await expect.poll(() => row.getByRole('cell').nth(3).innerText()).toBe('1');
      expect(await row.innerText()).toContain('wrong password (1)');

      // The reject count leads to the log, filtered to this NAS and its rejects.
      await row.getByRole('link', { name: '1', exact: true }).click();
      await page.waitForURL('**/radius/log?channel=radius&nas=interior-vpn&result=reject');
      await visible(page.getByRole('heading', { name: 'Sign-in log', level: 1 }));
      const reject = page.getByRole('row').filter({ hasText: 'ayesha' });
      await visible(reject.getByRole('cell', { name: 'wrong password', exact: true }));
      const text = await reject.innerText();
      expect(text).toContain('interior-vpn');
      expect(text).toContain('pap');
      expect(text).toContain('reject');
      expect(await page.content()).not.toContain('not-her-password');

      // The same answer from the menu and the filters, the way an operator would look for a user.
      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'Sign-in log', exact: true })
        .click();
      await page.getByLabel('User').fill('ayesha');
      await page.getByLabel('Result').selectOption('reject');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await visible(page.getByRole('cell', { name: 'wrong password', exact: true }));
      expect(problems).toEqual([]);
    });

    it('a session accounted by radclient shows on the accounting page: duration, traffic, cause', async () => {
      // Ayesha enrols TOTP herself (PAP takes password + code), then signs in through the NAS.
      const secret = await enrolTotp(server, 'ayesha', PASSWORD);
      const radclient = (kind: 'auth' | 'acct', port: number, attributes: string[]) =>
        runRadclient(kind, port, SECRET, attributes);
      const accept = await radclient('auth', server.radius!.authPort, [
        'User-Name = "ayesha"',
        `User-Password = "${PASSWORD}${await totpNow(secret)}"`,
        'Message-Authenticator = 0x00',
      ]);
      expect(accept.stdout).toContain('Received Access-Accept');
      const cls = /Class = (0x[0-9a-f]+)/.exec(accept.stdout)?.[1];
      expect(cls).toBeDefined();
      const session = [
        'User-Name = "ayesha"',
        'Acct-Session-Id = "noc-e2e-1"',
        `Class = ${cls}`,
        'NAS-IP-Address = 127.0.0.1',
        'Framed-IP-Address = 10.45.0.7',
      ];
      for (const record of [
        ['Acct-Status-Type = Start'],
        [
          'Acct-Status-Type = Stop',
          'Acct-Session-Time = 3725',
          'Acct-Input-Octets = 1000',
          'Acct-Output-Octets = 1572864',
          'Acct-Terminate-Cause = Idle-Timeout',
        ],
      ])
        expect((await radclient('acct', server.radius!.acctPort, [...session, ...record])).stdout).toContain(
          'Received Accounting-Response',
        );

      await page
        .getByRole('navigation', { name: 'Domains' })
        .getByRole('link', { name: 'RADIUS accounting', exact: true })
        .click();
      await page.waitForURL('**/radius/accounting');
      await visible(page.getByRole('heading', { name: 'RADIUS accounting', level: 1 }));
      const stop = page.getByRole('row').filter({ hasText: 'Stop' });
      await visible(stop);
      const cells = await stop.getByRole('cell').allInnerTexts();
      // Time, record, user, NAS, address, duration, traffic in / out, cause.
      expect(cells.slice(1)).toEqual([
        'Stop',
        'ayesha',
        'interior-vpn 127.0.0.1',
        '10.45.0.7',
        '1h 2m 5s',
        '1000 B / 1.5 MiB',
        'Idle timeout',
      ]);
      await visible(page.getByText('2 records, 0 sessions still open among them.'));

      // A user's link narrows the page to them; an IMSI that saw no session shows the empty state.
      await stop.getByRole('link', { name: 'Only ayesha' }).click();
      await page.waitForURL(/\/radius\/accounting\?user=[0-9a-f-]{36}$/);
      await visible(page.getByRole('button', { name: 'All users' }));
      await page.getByLabel('IMSI').fill('001010000000009');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await visible(page.getByText('No accounting records match.'));
      expect(problems).toEqual([]);
    });
  },
);
