import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { childNamed } from './load.js';

/**
 * The calls benches' media generator: one Debian Chromium (headless, fake camera and microphone, niced) and
 * fresh contexts running the web client's call code (web-chat/src/calls/bench-entry.ts and the SFrame worker,
 * bundled here with esbuild).
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const DISABLED = ['WebRtcHideLocalIpsWithMdns', 'LocalNetworkAccessChecks'];
export const CHROMIUM = process.env.PAKAWAAZ_CHROMIUM ?? '/usr/bin/chromium';

/** The web client's call code for the pages: the bench entry and the SFrame worker, one esbuild run. */
async function bundles(): Promise<{ page: string; worker: string }> {
  const dir = path.join(root, 'web-chat/src/calls');
  const { outputFiles } = await build({
    entryPoints: { page: `${dir}/bench-entry.ts`, worker: `${dir}/sframe-worker.ts` },
    outdir: '/bundles',
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    logLevel: 'silent',
  });
  const text = (name: string) => outputFiles.find((f) => f.path === `/bundles/${name}.js`)!.text;
  return { page: text('page'), worker: text('worker') };
}

export type Pages = {
  browser: Browser;
  /** The browser's main process (its renderers, GPU and network processes are its descendants). */
  pid: number;
  open(): Promise<{ page: Page; close(): Promise<void> }>;
};

/** One Chromium (fake camera and microphone); `open` makes a fresh context and page with the call code. */
export async function launchPages(dir: string): Promise<Pages> {
  const code = await bundles();
  const html =
    `<!doctype html><title>bench</title><script type="text/plain" id="sframe-worker">${code.worker}</script>` +
    `<script>${code.page}</script>`;
  const wrapper = path.join(dir, 'chromium.sh'); // niced: the generator should not starve Janus of the CPU
  await writeFile(wrapper, `#!/bin/sh\nexec nice -n 5 ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o700);
  const browser = await chromium.launch({
    executablePath: wrapper,
    headless: true,
    // The bench's own handler closes the browser, the server and the namespace on a signal, then exits.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    // Playwright adds --no-first-run, --disable-background-networking and the like itself. Host candidates as
    // addresses (Janus resolves no mDNS names); no Local Network Access prompt for Janus's veth address.
    args: ['--no-sandbox', '--disable-gpu', ...FAKE_MEDIA, `--disable-features=${DISABLED.join(',')}`],
  });
  const pid = await childNamed(process.pid, 'chromium'); // the first found is the top (breadth first)
  return {
    browser,
    pid,
    open: async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.route('http://localhost/**', (r) => r.fulfill({ contentType: 'text/html', body: html }));
      await page.goto('http://localhost/'); // a secure origin (getUserMedia, workers), served from memory
      return { page, close: () => context.close() };
    },
  };
}
