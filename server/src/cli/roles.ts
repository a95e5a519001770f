import { readFileSync } from 'node:fs';
import { Option } from 'commander';

/**
 * The roles the composed domains register, for the CLI's `--role` choices, from the committed OpenAPI
 * document (`x-pakawaaz-registry`, rendered from the kernel's registry and checked for drift by CI) — the
 * CLI is an HTTP client and does not load the domains to learn their names. Without the document the
 * server's validation is the only check.
 */
function registeredRoles(): string[] | undefined {
  try {
    const doc = JSON.parse(readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8')) as {
      'x-pakawaaz-registry'?: { roles?: { name: string }[] };
    };
    const roles = (doc['x-pakawaaz-registry']?.roles ?? []).map((r) => r.name);
    return roles.length > 0 ? roles : undefined;
  } catch {
    return undefined;
  }
}

export const ROLE_NAMES: readonly string[] | undefined = registeredRoles();

/** A `--role <role...>` option, offering the registered roles as its choices. */
export function roleOption(description: string): Option {
  const option = new Option('--role <role...>', description);
  return ROLE_NAMES ? option.choices(ROLE_NAMES) : option;
}
