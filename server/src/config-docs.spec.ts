import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

/** Config schemas are zod objects keyed by the env variable names (DESIGN §3: one schema per domain). */
const CONFIG_FILES = [
  'platform/src/config/platform.config.ts',
  'identity/src/identity.config.ts',
  'core-network/src/core-network.config.ts',
];

describe('README configuration table', () => {
  it('documents every environment variable a config schema reads', () => {
    const readme = read('README.md');
    const table = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('## Running against PostgreSQL'),
    );
    const variables = CONFIG_FILES.flatMap((f) =>
      [...read(f).matchAll(/^\s+([A-Z][A-Z0-9_]{2,}):/gm)].map((m) => m[1]!),
    );
    expect(variables.length).toBeGreaterThan(15);
    expect(variables.filter((v) => !table.includes(`| \`${v}\``))).toEqual([]);
  });
});
