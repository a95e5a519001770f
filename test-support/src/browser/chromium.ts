// Real Chromium for the browser tests (the NOC, the officials' web chat): launch, profiles, problems.
import { existsSync } from 'node:fs';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type ConsoleMessage,
  type Locator,
  type Page,
} from 'playwright-core';
import { requireServices } from '../services.js';

// Debian's chromium (apt-get install chromium; .ci/run installs it). Never a Playwright-downloaded browser.
export const CHROMIUM = process.env.PAKAWAAZ_CHROMIUM ?? '/usr/bin/chromium';
// The background-networking flags keep Chromium from dialling Google on a machine with a closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const STEP_MS = 10_000;

export type Problem = { kind: 'console' | 'pageerror' | 'csp'; text: string; url: string };

/** Decided once, before a suite: run, fail loudly (CI), or skip with a notice (a laptop without chromium). */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (requireServices()) return true; // assertChromium() in beforeAll fails the suite.
  console.warn(
    `\n[notice] Chromium is not installed at ${CHROMIUM} (Debian package \`chromium\`): skipping ${suite}. Install it with \`apt-get install chromium\`; set PAKAWAAZ_REQUIRE_SERVICES=1 to make this a failure.\n`,
  );
  return false;
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM} and PAKAWAAZ_REQUIRE_SERVICES is set: install the Debian package \`chromium\` (.ci/run does).`,
    );
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser profile (its own sessionStorage, so its own NOC or web chat session) whose pages report console
 * errors, uncaught errors and CSP violations into `problems`.
 */
export async function openContext(
  browser: Browser,
  baseURL: string,
  problems: Problem[],
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL });
  // CSP violations are reported by the page itself; the binding survives navigations and reloads.
  await context.exposeFunction('__pakawaazCsp', (directive: string, blocked: string) =>
    problems.push({ kind: 'csp', text: `${directive} blocked ${blocked}`, url: '' }),
  );
  // Injected by the DevTools protocol, so the page's own CSP does not block it. A string: no DOM types here.
  await context.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => void window.__pakawaazCsp(e.violatedDirective, e.blockedURI));",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') problems.push({ kind: 'console', text: msg.text(), url: msg.location().url });
  });
  page.on('pageerror', (err) => problems.push({ kind: 'pageerror', text: err.message, url: page.url() }));
  return { context, page };
}

/**
 * What the pages said before a test failed, for its log: a timed-out wait names only what it waited for, and
 * the cause is usually in a page — the problems it reported (an HTTP error, an exception) and the alerts it
 * shows. Call it in `afterEach` when the test failed.
 */
export async function pagesReport(
  browser: Browser | undefined,
  problems: readonly Problem[],
): Promise<string> {
  const lines = problems.map((p) => `  ${p.kind}: ${p.text} (${p.url})`);
  for (const [c, context] of (browser?.contexts() ?? []).entries())
    for (const page of context.pages()) {
      const alerts = await page
        .getByRole('alert')
        .allInnerTexts()
        .catch((e: Error) => [`(unreadable: ${e.message})`]);
      const shown = alerts.filter((a) => a.trim() !== '');
      lines.push(
        `  context ${c}, ${page.url()}: ${shown.length ? `alert: ${shown.join(' | ')}` : 'no alert shown'}`,
      );
    }
  return `What the pages reported before the failure:\n${lines.join('\n') || '  nothing'}`;
}

export const visible = (locator: Locator): Promise<void> =>
  locator.waitFor({ state: 'visible', timeout: STEP_MS });

/**
 * Fails the current test on anything the pages (the NOC's, the web chat's) reported since the previous call: console errors
 * (Chromium also logs each HTTP error response, so a page calling an API its operator may not use shows up
 * here), uncaught exceptions and CSP violations. `expected` lets a test name the one it provoked.
 */
export function expectNoProblems(problems: Problem[], expected: (p: Problem) => boolean = () => false): void {
  const found = problems.splice(0).filter((p) => !expected(p));
  if (found.length > 0)
    throw new Error(
      `The pages reported ${found.length} problem(s):\n${found.map((p) => `  ${p.kind}: ${p.text} (${p.url})`).join('\n')}`,
    );
}
