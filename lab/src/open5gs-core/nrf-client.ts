import http2 from 'node:http2';

export type NrfInstance = {
  readonly nfInstanceId: string;
  readonly nfType: string;
  readonly nfStatus?: string;
};

/**
 * The NF profiles the NRF holds: `GET /nnrf-nfm/v1/nf-instances` (TS 29.510 §5.2.2.6, the links to each
 * instance), then each instance, over HTTP/2 with prior knowledge (h2c), as the NFs themselves talk to it.
 */
export async function nrfInstances(nrfUrl: string, timeoutMs = 5_000): Promise<NrfInstance[]> {
  const session = http2.connect(nrfUrl);
  session.on('error', () => undefined);
  try {
    const list = (await h2Json(session, '/nnrf-nfm/v1/nf-instances', timeoutMs)) as {
      _links?: { item?: { href: string }[]; items?: { href: string }[] };
    };
    const links = list._links?.item ?? list._links?.items ?? [];
    const out: NrfInstance[] = [];
    for (const { href } of links) {
      const p = new URL(href, nrfUrl).pathname;
      out.push((await h2Json(session, p, timeoutMs)) as NrfInstance);
    }
    return out;
  } finally {
    session.close();
  }
}

function h2Json(session: http2.ClientHttp2Session, p: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'GET', ':path': p, accept: 'application/json' });
    req.setTimeout(timeoutMs, () => req.close(http2.constants.NGHTTP2_CANCEL));
    let status = 0;
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (d: string) => {
      body += d;
      if (body.length > 1024 * 1024) req.close(http2.constants.NGHTTP2_CANCEL);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (status !== 200)
        return reject(new Error(`GET ${p}: HTTP ${status || 'no answer'} ${body.slice(0, 200)}`));
      try {
        resolve(JSON.parse(body));
      } catch {
        reject(new Error(`GET ${p}: not JSON`));
      }
    });
    req.end();
  });
}
