import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startJanus } from './calls-fixture.js';

// Media tests need a network namespace (Janus ignores loopback for ICE): lab/tools/netns-media.sh makes one
// with a veth pair; Janus and Chromium both run inside it, the test drives them over the veth's address.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const NETNS = path.join(root, 'lab/tools/netns-media.sh');
export const CHROMIUM = process.env['PAKAWAAZ_CHROMIUM'] ?? '/usr/bin/chromium';
const run = promisify(execFile);

/** Why media tests cannot run here, or null when they can (root or CAP_NET_ADMIN, chromium installed). */
export async function mediaUnavailable(janus: string | undefined): Promise<string | null> {
  if (!janus) return 'janus is not installed (apt-get install janus)';
  if (!existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
  try {
    await run(NETNS, ['check']);
  } catch {
    return '`ip netns` is not permitted here (media tests need root or CAP_NET_ADMIN for a network namespace)';
  }
  return null;
}

export type MediaNet = { name: string; ip: string; down(): Promise<void> };

/** A namespace of its own for this test file: a third octet from the process id, so parallel files differ. */
export async function mediaNet(): Promise<MediaNet> {
  const name = `pkz-media-${process.pid}`;
  const net = `10.77.${(process.pid % 200) + 20}`;
  const env = { ...process.env, PAKAWAAZ_MEDIA_NET: net };
  const down = async () => void (await run(NETNS, ['down', name], { env }));
  await down();
  await run(NETNS, ['up', name], { env });
  return { name, ip: `${net}.2`, down };
}

/** A Janus of the calls fixture, inside the namespace, its APIs on the namespace's address. */
export const startJanusIn = (net: MediaNet, binary: string, dir: string) =>
  startJanus(binary, dir, { listenIp: net.ip, wrap: ['ip', 'netns', 'exec', net.name] });

/** The web client's call media (web-chat/src/calls) bundled for a plain page, and its SFrame worker. */
export async function mediaBundles(): Promise<{ page: string; worker: string }> {
  const one = async (entry: string) => {
    const out = await build({
      entryPoints: [path.join(root, 'web-chat/src/calls', entry)],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      logLevel: 'silent',
    });
    return out.outputFiles[0]!.text;
  };
  return { page: await one('media-test-entry.ts'), worker: await one('sframe-worker.ts') };
}

/** Chromium inside the namespace (a wrapper script: Playwright talks to it over a pipe), fake camera and mic. */
export async function launchInNet(net: MediaNet, dir: string): Promise<Browser> {
  const wrapper = path.join(dir, 'chromium-in-netns.sh');
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${net.name} ${CHROMIUM} "$@"\n`);
  await chmod(wrapper, 0o700);
  return chromium.launch({
    executablePath: wrapper,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      // Host candidates as addresses, not mDNS names (nothing resolves .local inside the namespace); and no
      // Local Network Access prompt for the page (http://localhost) reaching Janus on the namespace address.
      '--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks',
    ],
  });
}

/** A participant's page: a secure origin (localhost, served from memory), CallMedia loaded, the worker URL. */
export async function participantPage(browser: Browser, bundles: { page: string; worker: string }) {
  const context = await browser.newContext();
  const page: Page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.route('http://localhost/**', (r) =>
    r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>call</title>' }),
  );
  await page.goto('http://localhost/');
  await page.addScriptTag({ content: bundles.page });
  const workerUrl = await page.evaluate(
    (src) => URL.createObjectURL(new Blob([src], { type: 'text/javascript' })),
    bundles.worker,
  );
  return { page, workerUrl };
}
