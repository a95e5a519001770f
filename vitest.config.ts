import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import { EMBEDDED_DATABASE_NODE_FLAGS } from './platform/src/db/wasm-flags.js';

const root = fileURLToPath(new URL('.', import.meta.url));
// Every TypeScript workspace, by package name (npm workspaces in package.json).
const workspaces: Record<string, string> = {
  radius: 'protocols/radius',
  'eap-aka': 'protocols/eap-aka',
  milenage: 'protocols/milenage',
  envelope: 'protocols/envelope',
  totp: 'protocols/totp',
  apk: 'protocols/apk',
  'transparency-log': 'protocols/transparency-log',
  mls: 'protocols/mls',
  'mqtt-reconnect': 'protocols/mqtt-reconnect',
  platform: 'platform',
  'test-support': 'test-support',
  'core-network': 'core-network',
  'hardened-os': 'hardened-os',
  identity: 'identity',
  'device-mgmt': 'device-mgmt',
  'app-store': 'app-store',
  'secure-chat': 'secure-chat',
  'open5gs-simulator': 'simulators/open5gs',
  'handset-simulator': 'simulators/handset',
  lab: 'lab',
  server: 'server',
};

// Tests run against TypeScript sources: each workspace's public face resolves to its src/index.ts.
// A subpath face first: the first alias that matches wins, and `@pakawaaz/platform` would match it too.
const alias = {
  '@pakawaaz/platform/csv': `${root}platform/src/csv/index.ts`,
  '@pakawaaz/platform/config': `${root}platform/src/config/index.ts`,
  '@pakawaaz/device-mgmt/attestation': `${root}device-mgmt/src/attestation/index.ts`,
  '@pakawaaz/hardened-os/tuf': `${root}hardened-os/src/tuf/index.ts`,
  '@pakawaaz/app-store/catalogue': `${root}app-store/src/catalogue/index.ts`,
  '@pakawaaz/test-support/browser': `${root}test-support/src/browser/index.ts`,
  ...Object.fromEntries(
    Object.entries(workspaces).map(([name, dir]) => [`@pakawaaz/${name}`, `${root}${dir}/src/index.ts`]),
  ),
};

// Under `npm test` (PAKAWAAZ_TEST_TRACE set), every worker records the files it runs and, on a fatal V8 error
// (heap exhausted), writes a diagnostic report next to that trace, so a worker that dies can be named and
// explained (scripts/test-trace/). Every worker runs with the embedded database's Node flags, as the server
// does: a worker starts and stops dozens of embedded databases, and without them V8's WebAssembly tier-up race
// (platform/src/db/wasm-flags.ts) killed one on Node 24 in CI.
const trace = process.env.PAKAWAAZ_TEST_TRACE;
const traced = {
  setupFiles: [`${root}scripts/test-trace/setup.mjs`],
  execArgv: [
    ...EMBEDDED_DATABASE_NODE_FLAGS,
    ...(trace
      ? ['--report-on-fatalerror', '--report-compact', `--report-directory=${path.dirname(trace)}`]
      : []),
  ],
};

// SWC emits decorator metadata, which Nest's dependency injection needs (esbuild does not).
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    // Most test time is waiting (PostgreSQL, spawned servers, browsers, Janus), so as many workers as cores
    // and at least three (one more than the build machines' two cores) keep them busy; vitest's own default
    // (cores − 1) ran the whole suite one file at a time on the 2-core build machines. Medium and e2e files share their worker's module cache (`isolate: false`):
    // a fresh process and a fresh import of Nest, drizzle and the domains for every file cost more than
    // the tests. So a test file must leave no global state behind (process.env, timers, globals: restore
    // them in afterEach/afterAll) — every file still gets its own database, ports and temp folders.
    maxWorkers: Math.max(3, availableParallelism()),
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          ...traced,
          // Unit files keep a fresh module graph each: some prove module-level registries from empty (the
          // role registry), and their imports are small.
          include: [
            '*/src/**/*.spec.ts',
            '{protocols,simulators}/*/src/**/*.spec.ts',
            // The lint floors' proof (ESLint's Node API on snippets).
            'scripts/**/*.spec.mjs',
          ],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'medium',
          ...traced,
          isolate: false,
          include: ['*/test/medium/**/*.medium.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          ...traced,
          include: ['*/test/e2e/**/*.e2e.spec.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          isolate: false,
          // Two at a time: each file runs servers, CLIs or browsers of its own, which need the cores. A pool
          // of its own, so after unit and medium (vitest runs a group order's projects in one pool).
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          // Latency under load (p99 bounds): `npm test` runs this tier on its own after the others, so no
          // other test file competes for the machine's cores while it measures.
          name: 'load',
          ...traced,
          include: ['*/test/load/**/*.load.spec.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
