import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireServices } from '@pakawaaz/test-support';
import * as browse from '@pakawaaz/test-support/browser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './test-server.js';

/*
 * The officials' web chat calls in real Chromium against the built server and its embedded Janus (the web
 * chat calls e2e specs). Janus ignores loopback for ICE: the namespace of lab/tools/netns-media.sh gives this
 * host a veth address (the host end), so Janus and Chromium have a non-loopback address to meet on even where
 * the machine has no other interface. Chromium runs with a fake camera, microphone and screen.
 *
 * No `bypassCSP`: the page's own CSP must let it reach the media host's Janus (the server names the enabled
 * media hosts' WebSocket origins in `/chat/`'s connect-src), so a CSP violation fails the call and the test.
 */

const JANUS = '/usr/bin/janus';
const NETNS = fileURLToPath(new URL('../../../lab/tools/netns-media.sh', import.meta.url));
const run = promisify(execFile);
export const PASSWORD = 'violet-harbour-tandem-93';

/** Why these tests cannot run here (no janus, no chromium, no `ip netns`), or null; warns or throws. */
export async function webCallsUnavailable(what: string): Promise<string | null> {
  const why = !existsSync(JANUS)
    ? 'janus is not installed (apt-get install janus)'
    : !existsSync(browse.CHROMIUM)
      ? `Chromium is not installed at ${browse.CHROMIUM}`
      : await run(NETNS, ['check']).then(
          () => null,
          () => '`ip netns` is not permitted here (root or CAP_NET_ADMIN)',
        );
  if (why && requireServices()) throw new Error(`${why} and PAKAWAAZ_REQUIRE_SERVICES is set`);
  if (why) console.warn(`\n[notice] skipping ${what}: ${why}\n`);
  return why;
}

export type Official = { username: string; displayName: string };
/** The officials the specs enrol (each spec takes the first two or all three). */
export const OFFICIALS = [
  { username: 'hina.qureshi', displayName: 'Hina Qureshi' },
  { username: 'imran.siddiqui', displayName: 'Imran Siddiqui' },
  { username: 'zara.baloch', displayName: 'Zara Baloch' },
] as const;
export type WebCalls = {
  server: TestServer;
  browser: Browser;
  problems: browse.Problem[];
  /** A new browser profile of the official, enrolled and on the conversation screens. */
  open(username: string): Promise<Page>;
  stop(): Promise<void>;
};

/** The namespace, the server (with its embedded Janus, calls enabled), the officials, and Chromium. */
export async function startWebCalls(
  tag: string,
  officials: readonly Official[],
  serverEnv: Record<string, string> = {},
): Promise<WebCalls> {
  const ns = `pkz-${tag}-${process.pid}`;
  const env = { ...process.env, PAKAWAAZ_MEDIA_NET: `10.78.${(process.pid % 200) + 20}` };
  await run(NETNS, ['down', ns], { env });
  await run(NETNS, ['up', ns], { env });
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await server?.stop();
    await run(NETNS, ['down', ns], { env }).catch(() => undefined);
  };
  try {
    server = await startTestServer({
      PAKAWAAZ_JANUS: 'auto',
      PAKAWAAZ_CALLS_HEALTH_SECONDS: '1',
      ...serverEnv,
    });
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
      body: { name: `Ministry of Water (${tag})` },
    });
    for (const o of officials)
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
        // A fake camera and microphone, and for getDisplayMedia a fake screen, chosen without a picker.
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        // Host candidates as addresses (Janus resolves no .local names).
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const problems: browse.Problem[] = [];
  const [s, b] = [server, browser];
  return {
    server: s,
    browser: b,
    problems,
    async open(username) {
      const context = await b.newContext({ baseURL: s.url });
      const page = await context.newPage();
      page.setDefaultTimeout(browse.STEP_MS);
      page.on('pageerror', (err) => problems.push({ kind: 'pageerror', text: err.message, url: page.url() }));
      await browse.enrolAndOpenChat(page, username, PASSWORD);
      return page;
    },
    stop,
  };
}

/** Opens the conversation another official started with this page's official. */
export async function openConversation(page: Page): Promise<void> {
  await browse.shown(page.getByRole('button', { name: /^Chat with / }));
  await page.getByRole('button', { name: /^Chat with / }).click();
}

/** How many of the page's participant tiles show decoded video (a string expression: no DOM types here). */
export const tilesDecoding = (page: Page): Promise<number> =>
  page.evaluate(`[...document.querySelectorAll('#call-tiles video')].filter(
    (v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0).length`);

/** The call panel's media figures (its element's data-*: epoch, kid, decrypted, refused, audioPackets). */
export const callFigures = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(`({ ...document.getElementById('call-media').dataset })`);

/** Polls until `check` holds (45 s: media on a loaded 2-core machine). */
export async function until(check: () => Promise<boolean>, what: string, ms = 45_000): Promise<void> {
  for (const end = Date.now() + ms; ;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
