import { createRequire } from 'node:module';

/**
 * commander, required rather than imported: it is CommonJS, and importing it from ESM first parses it for
 * its named exports, a measurable part of a CLI call's start-up. Types still come from `import type`.
 */
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

export const { Command, CommanderError, Help, InvalidArgumentError, Option } = commander;
