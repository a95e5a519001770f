import { CliError, unwrap, type Api, type Schemas } from './api-client.js';

export type Institution = Schemas['Institution'];

/**
 * Operators name institutions by name (an id works too): the one the caller may read with that name or id, or
 * a CliError (exit 1) saying there is none.
 */
export async function findInstitution(api: Api, nameOrId: string): Promise<Institution> {
  const { institutions } = await unwrap(api.GET('/api/v1/institutions'));
  const found = institutions.find((i) => i.id === nameOrId || i.name === nameOrId);
  if (!found) throw new CliError(`No institution "${nameOrId}".`, 1);
  return found;
}

/** Institution names by id, to print names rather than ids (empty when the caller may list none). */
export async function institutionNames(api: Api): Promise<Map<string, string>> {
  const { institutions } = await unwrap(api.GET('/api/v1/institutions')).catch(() => ({
    institutions: [] as { id: string; name: string }[],
  }));
  return new Map(institutions.map((i) => [i.id, i.name]));
}
