import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { DirectoryEntry } from './ldap-mapping.js';
import { tlsFailureHint } from './ldap-tls.js';

export type LdapSourceOptions = {
  url: string;
  /** ldap:// only: StartTLS (RFC 4513) before the bind; a server that refuses it fails the read. */
  startTls?: boolean;
  /** PEM of the CAs trusted for the directory's certificate; undefined: the system's CAs. */
  caCertificates?: string | undefined;
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

/** The read was stopped by its caller (the server stopping, the job's lease lost): not the directory's fault. */
export class DirectoryReadAborted extends Error {
  override name = 'DirectoryReadAborted';
}

/**
 * The tiny driver: binds, searches the subtree with the paged-results control (RFC 2696), and hands back each
 * entry's first value of the wanted attributes as text. TLS comes from ldaps:// or StartTLS, verified against
 * the pinned CAs (or the system's) and the URL's host name, TLS 1.2 at least. `signal` ends the read at once
 * (DirectoryReadAborted), however slow the directory: a stopping server must not wait out its timeouts.
 */
export async function readDirectory(o: LdapSourceOptions, signal?: AbortSignal): Promise<DirectoryEntry[]> {
  const host = new URL(o.url).hostname.replace(/^\[|\]$/g, '');
  const tlsOptions: ConnectionOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    host,
    ...(isIP(host) ? {} : { servername: host }),
    ...(o.caCertificates ? { ca: o.caCertificates } : {}),
  };
  const client = new Client({
    url: o.url,
    timeout: o.timeoutMs ?? 30_000,
    connectTimeout: o.timeoutMs ?? 10_000,
    // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps://.
    ...(o.url.startsWith('ldaps:') ? { tlsOptions } : {}),
  });
  const read = (async () => {
    if (o.startTls) await client.startTLS(tlsOptions);
    await client.bind(o.bindDn, o.bindPassword);
    return client.search(o.baseDn, {
      scope: 'sub',
      filter: o.filter,
      attributes: o.attributes,
      paged: { pageSize: 500 },
      sizeLimit: o.maxEntries + 1,
    });
  })();
  try {
    const { searchEntries } = await untilAborted(read, signal);
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
    if (err instanceof DirectoryReadError || err instanceof DirectoryReadAborted) throw err;
    const tls = tlsFailureHint(err);
    if (tls) throw new DirectoryReadError(`the directory could not be read: ${tls}`);
    // ldapts' messages name the result code (InvalidCredentialsError, ECONNREFUSED…), never the password.
    const name = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new DirectoryReadError(`the directory could not be read (${name.slice(0, 200)})`);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** `work`, or DirectoryReadAborted as soon as `signal` aborts (the socket is then closed; its late end ignored). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new DirectoryReadAborted('the directory read was stopped'));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
