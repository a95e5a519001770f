import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressProblem } from './bots.config.js';

type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for the webhook's socket: the name is resolved here and only addresses `addressProblem` allows
 * are handed to the connect — the address checked is the address connected to (no second resolution for a
 * short-lived DNS answer to turn into loopback, cloud metadata or a private network).
 */
export function guardedLookup(
  policy: { loopback: boolean; privateNetworks: boolean },
  resolve: Resolve = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const ok = addresses.filter((a) => addressProblem(a.address, policy) === null);
      if (ok.length === 0) {
        const why = addresses[0] ? addressProblem(addresses[0].address, policy) : 'no address';
        const refused = Object.assign(new Error(`${hostname} resolves to ${why}`), { code: 'EWEBHOOKADDR' });
        return callback(refused, '', 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}

/** How much of a webhook's reply is read (and discarded) before the socket is closed. */
export const WEBHOOK_REPLY_BYTES = 64 * 1024;

/**
 * One POST to a webhook through `lookup`; resolves to the status (no redirect). The reply's body is discarded:
 * past WEBHOOK_REPLY_BYTES the socket is destroyed — a receiver that streams cannot keep it busy until the
 * timeout, nor make the server read gigabytes; the status alone decides the delivery.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; lookup: LookupFunction },
): Promise<number> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        lookup: opts.lookup,
        agent: false,
        signal: AbortSignal.timeout(opts.timeoutMs),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read <= WEBHOOK_REPLY_BYTES) return;
          resolve(status);
          res.destroy();
        });
        res.on('end', () => resolve(status));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/**
 * What a bot's list shows of a failed delivery (`lastError`, seen by the institution's chat-admins): a small set
 * of categories, never the error's text — that names the addresses and ports behind the URL, which would make
 * the webhook a probe of the data centre's network. The full error goes to the server's log.
 */
export function webhookFailure(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || code === 'ETIMEDOUT') return 'timed out';
  if (code === 'EWEBHOOKADDR') return 'address not allowed';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'name not resolved';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable';
  if (TLS_CODE.test(code)) return 'TLS failed';
  return 'failed';
}
