import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

/** Config schemas are zod objects keyed by the env variable names (DESIGN §3: one schema per domain). */
const CONFIG_FILES = [
  'platform/src/config/platform.config.ts',
  'identity/src/identity.config.ts',
  'core-network/src/core-network.config.ts',
  'device-mgmt/src/device-mgmt.config.ts',
  'hardened-os/src/hardened-os.config.ts',
  'app-store/src/app-store.config.ts',
  'secure-chat/src/secure-chat.config.ts',
  'secure-chat/src/files/files.config.ts',
  'secure-chat/src/calls/calls.config.ts',
  'secure-chat/src/bots/bots.config.ts',
];

/** Variables read outside the config schemas: the CLI's, and the tests' (documented for developers). */
const OTHER_READERS = [
  'server/src/cli/api-client.ts',
  'server/src/cli/context.ts',
  'test-support/src/services.ts',
  'server/test/support/test-server.ts',
];

const readme = read('README.md');
const table = readme.slice(
  readme.indexOf('## Configuration'),
  readme.indexOf('## Running against PostgreSQL'),
);
const schemaVariables = CONFIG_FILES.flatMap((f) =>
  [...read(f).matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):/gm)].map((m) => m[1]!),
);

describe('README configuration table', () => {
  it('documents every environment variable a config schema reads', () => {
    expect(schemaVariables.length).toBeGreaterThan(15);
    expect(schemaVariables.filter((v) => !table.includes(`| \`${v}\``))).toEqual([]);
  });

  it('documents no variable that nothing reads any more', () => {
    const documented = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]{2,})`/gm)].map((m) => m[1]!);
    const readers = [...CONFIG_FILES, ...OTHER_READERS].map(read).join('\n');
    expect(documented.filter((v) => !readers.includes(v))).toEqual([]);
  });
});
