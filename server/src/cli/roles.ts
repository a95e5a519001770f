import { readFileSync } from 'node:fs';
import type { Option as OptionType } from 'commander';
import { InvalidArgumentError, Option } from './commander.js';

type Registry = { 'x-pakawaaz-registry'?: { roles?: { name: string }[] } };

/**
 * The roles the composed domains register, for the CLI's `--role` choices, from the committed OpenAPI
 * document (`x-pakawaaz-registry`, rendered from the kernel's registry and checked for drift by CI) — the
 * CLI is an HTTP client and does not load the domains to learn their names. Without the document the
 * server's validation is the only check. Read on first use: the document is large, and most commands never
 * need it; its keys are sorted, so the registry is the last member and is parsed alone when it can be.
 */
function readRoles(): string[] | undefined {
  try {
    const text = readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8');
    let doc: Registry;
    try {
      doc = JSON.parse(`{${text.slice(text.lastIndexOf('"x-pakawaaz-registry"'))}`) as Registry;
    } catch {
      doc = JSON.parse(text) as Registry;
    }
    const roles = (doc['x-pakawaaz-registry']?.roles ?? []).map((r) => r.name);
    return roles.length > 0 ? roles : undefined;
  } catch {
    return undefined;
  }
}

let roles: { names: string[] | undefined } | undefined;
/** The registered role names (undefined when the document is missing), read once. */
export function registeredRoles(): string[] | undefined {
  roles ??= { names: readRoles() };
  return roles.names;
}

/**
 * A `--role <role...>` option, offering the registered roles as its choices (in its help, and checked
 * when given), looked up only when the option is parsed or its help shown.
 */
export function roleOption(description: string): OptionType {
  const option = new Option('--role <role...>', description);
  Object.defineProperty(option, 'argChoices', { get: registeredRoles, configurable: true });
  return option.argParser((value: string, previous: string[] | undefined) => {
    const choices = registeredRoles();
    if (choices && !choices.includes(value))
      throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
    return previous === undefined ? [value] : [...previous, value];
  });
}
