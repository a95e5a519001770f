import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const domains = [
  'platform',
  'core-network',
  'hardened-os',
  'identity',
  'device-mgmt',
  'app-store',
  'secure-chat',
  'lab',
  'server',
];

// Tests run against TypeScript sources: each workspace's public face resolves to its src/index.ts.
const alias = Object.fromEntries(domains.map((d) => [`@pakawaaz/${d}`, `${root}${d}/src/index.ts`]));

// SWC emits decorator metadata, which Nest's dependency injection needs (esbuild does not).
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['*/src/**/*.spec.ts'],
          environment: 'node',
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'medium',
          include: ['*/test/medium/**/*.medium.spec.ts'],
          globalSetup: ['server/test/support/medium-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['*/test/e2e/**/*.e2e.spec.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
