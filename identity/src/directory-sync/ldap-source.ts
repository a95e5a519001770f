import { Client } from 'ldapts';
import type { DirectoryEntry } from './ldap-mapping.js';

export type LdapSourceOptions = {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  filter: string;
  attributes: string[];
  /** Entries at most: a directory bigger than the import's limits is refused, not read without end. */
  maxEntries: number;
  timeoutMs?: number;
};

/** Why the directory could not be read (bind refused, unreachable, bad filter…): no secret in it. */
export class DirectoryReadError extends Error {
  override name = 'DirectoryReadError';
}

/**
 * The tiny driver: binds, searches the subtree with the paged-results control (RFC 2696), and hands back each
 * entry's first value of the wanted attributes as text. TLS is whatever the URL says (ldaps://).
 */
export async function readDirectory(o: LdapSourceOptions): Promise<DirectoryEntry[]> {
  const client = new Client({
    url: o.url,
    timeout: o.timeoutMs ?? 30_000,
    connectTimeout: o.timeoutMs ?? 10_000,
  });
  try {
    await client.bind(o.bindDn, o.bindPassword);
    const { searchEntries } = await client.search(o.baseDn, {
      scope: 'sub',
      filter: o.filter,
      attributes: o.attributes,
      paged: { pageSize: 500 },
      sizeLimit: o.maxEntries + 1,
    });
    if (searchEntries.length > o.maxEntries)
      throw new DirectoryReadError(
        `the search returned more than ${o.maxEntries} entries: narrow the base or the filter`,
      );
    return searchEntries.map((e) => {
      const attributes: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(e)) {
        if (k === 'dn') continue;
        const first = Array.isArray(v) ? v[0] : v;
        attributes[k] =
          first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : first;
      }
      return { dn: e.dn, attributes };
    });
  } catch (err) {
    if (err instanceof DirectoryReadError) throw err;
    // ldapts' messages name the result code (InvalidCredentialsError, ECONNREFUSED…), never the password.
    const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new DirectoryReadError(`the directory could not be read (${name.slice(0, 200)})`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
