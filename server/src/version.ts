/**
 * The product version, from the root package.json (one version for the whole monorepo). node:fs is taken
 * with getBuiltinModule, not imported: the CLI loads this on every call, and importing node:fs from ESM
 * also loads fs/promises and readline.
 */
const { readFileSync } = process.getBuiltinModule('node:fs');

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
