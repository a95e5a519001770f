import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireServices } from '@pakawaaz/test-support';
import * as browse from '@pakawaaz/test-support/browser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

const JANUS = '/usr/bin/janus';
const NETNS = fileURLToPath(new URL('../../../lab/tools/netns-media.sh', import.meta.url));
const run = promisify(execFile);

/** Why this test cannot run here (no janus, no chromium, no `ip netns`), or null. */
async function unavailableWhy(): Promise<string | null> {
  if (!existsSync(JANUS)) return 'janus is not installed (apt-get install janus)';
  if (!existsSync(browse.CHROMIUM)) return `Chromium is not installed at ${browse.CHROMIUM}`;
  return run(NETNS, ['check']).then(
    () => null,
    () => '`ip netns` is not permitted here (root or CAP_NET_ADMIN)',
  );
}
const unavailable = await unavailableWhy();
if (unavailable && requireServices()) throw new Error(`${unavailable} and PAKAWAAZ_REQUIRE_SERVICES is set`);
if (unavailable) console.warn(`\n[notice] skipping the web chat calls test: ${unavailable}\n`);

const PASSWORD = 'violet-harbour-tandem-93';
const OFFICIALS = [
  { username: 'hina.qureshi', displayName: 'Hina Qureshi' },
  { username: 'imran.siddiqui', displayName: 'Imran Siddiqui' },
] as const;

/** Whether a video element of the page shows decoded frames (a string expression: no DOM types here). */
const decoding = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate(`(() => {
    const v = document.querySelector(${JSON.stringify(selector)});
    return !!v && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
  })()`);

/*
 * Calls in the officials' web chat (/chat/), in real Chromium against the built server and its embedded
 * Janus: one official presses Call (video) in a conversation, the other sees the ring and accepts, and each
 * page decodes the other's video, every frame SFrame-sealed with the key the page derived from that
 * conversation's MLS epoch (Janus forwards only what it cannot read). Janus ignores loopback for ICE: the
 * namespace of lab/tools/netns-media.sh gives this host a veth address (the host end), so Janus and Chromium
 * have a non-loopback address to meet on even where the machine has no other interface.
 *
 * No `bypassCSP`: the page's own CSP must let it reach the media host's Janus (the server names the enabled
 * media hosts' WebSocket origins in `/chat/`'s connect-src), so a CSP violation fails the call and the test.
 */
describe.skipIf(unavailable !== null)('calls in the officials’ web chat (Chromium, Janus, SFrame)', () => {
  const ns = `pkz-webcall-${process.pid}`;
  const env = { ...process.env, PAKAWAAZ_MEDIA_NET: `10.78.${(process.pid % 200) + 20}` };
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const problems: browse.Problem[] = [];

  beforeAll(async () => {
    await run(NETNS, ['down', ns], { env });
    await run(NETNS, ['up', ns], { env });
    server = await startTestServer({ PAKAWAAZ_JANUS: 'auto', PAKAWAAZ_CALLS_HEALTH_SECONDS: '1' });
    const token = await server.adminToken();
    // The embedded Janus registers itself as a media host once it is up.
    for (let i = 0; ; i++) {
      const h = (await (await fetch(`${server.url}/healthz`)).json()) as {
        features: Record<string, { state: string }>;
      };
      if (h.features['calls']?.state === 'enabled') break;
      if (i > 150) throw new Error('calls not enabled within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    const inst = await server.json<{ id: string }>('POST', '/api/v1/institutions', {
      token,
      body: { name: 'Ministry of Water (web calls)' },
    });
    for (const o of OFFICIALS)
      await server.json('POST', '/api/v1/users', {
        token,
        body: { kind: 'official', ...o, password: PASSWORD, institution: inst.id },
      });
    browser = await chromium.launch({
      executablePath: browse.CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        // Host candidates as addresses (Janus resolves no .local names).
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await run(NETNS, ['down', ns], { env }).catch(() => undefined);
  });

  it('one official calls another from a conversation; both decode the other’s SFrame video, then hang up', async () => {
    const pages: Page[] = [];
    for (const o of OFFICIALS) {
      const context = await browser!.newContext({ baseURL: server!.url });
      const page = await context.newPage();
      page.setDefaultTimeout(browse.STEP_MS);
      page.on('pageerror', (err) => problems.push({ kind: 'pageerror', text: err.message, url: page.url() }));
      await browse.enrolAndOpenChat(page, o.username, PASSWORD);
      pages.push(page);
    }
    const [hina, imran] = pages as [Page, Page];
    await browse.startChatWith(hina, [{ query: 'imr', displayName: 'Imran Siddiqui' }]);
    await browse.shown(imran.getByRole('button', { name: /^Chat with / }));
    await imran.getByRole('button', { name: /^Chat with / }).click();

    await hina.getByRole('button', { name: 'Call (video)' }).click();
    await browse.shown(hina.getByRole('status').getByText('Calling…'));
    await browse.shown(imran.getByText(/ is calling$/));
    await imran.getByRole('button', { name: 'Accept' }).click();
    await browse.shown(hina.getByText('In call', { exact: true }));
    await browse.shown(imran.getByText('In call', { exact: true }));
    for (const page of [hina, imran])
      await expect
        .poll(() => decoding(page, '#call-tiles video'), { timeout: 45_000, interval: 500 })
        .toBe(true);

    await imran.getByRole('button', { name: 'Hang up' }).click();
    await browse.shown(imran.getByText('You hung up'));
    await hina.getByRole('button', { name: 'Hang up' }).click();
    await browse.shown(hina.getByText('You hung up'));
    browse.expectNoProblems(problems);
  }, 240_000);
});
