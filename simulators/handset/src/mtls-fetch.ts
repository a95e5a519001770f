import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';

export type ClientTls = {
  /** PEM of the device certificate (and any intermediates) and its private key (PKCS#8). */
  certPem: string;
  keyPem: string;
  /** PEM certificates the server's certificate must chain to (the device CA, from the enrolment reply). */
  caPems: readonly string[];
};

/** Replies larger than this are refused: the server never sends a handset more. */
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

/**
 * A `fetch` that speaks HTTPS with a client certificate over keep-alive connections (Node's global fetch
 * cannot present one), for the typed API client. Without `tls` it is plain HTTP(S) with the platform's CAs.
 */
/** A fetch function over its own keep-alive connections; `close()` ends them. */
export type MtlsFetch = ((request: Request) => Promise<Response>) & { close(): void };

export function mtlsFetch(tls?: ClientTls, maxSockets = 4): MtlsFetch {
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    ...(tls ? { cert: tls.certPem, key: tls.keyPem, ca: [...tls.caPems] } : {}),
  });
  const send = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    if (body) headers['content-length'] = String(body.length);
    const call = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const r = call(
        url,
        { method: req.method, headers, ...(url.protocol === 'https:' ? { agent } : {}) },
        resolve,
      );
      r.on('error', reject);
      r.end(body);
    });
    return toResponse(res);
  };
  return Object.assign(send, { close: () => agent.destroy() });
}

async function toResponse(res: IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) {
      res.destroy();
      throw new Error(`the server's reply exceeds ${MAX_REPLY_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
    else if (v !== undefined) headers.set(k, v);
  }
  const status = res.statusCode ?? 500;
  const noBody = status === 204 || status === 304;
  return new Response(noBody ? null : Buffer.concat(chunks), { status, headers });
}
