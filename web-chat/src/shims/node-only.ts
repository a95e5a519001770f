// What the browser bundle gets for Node-only imports the chat SDK reaches but a desktop device never calls:
// mutual TLS (handsets) and node:crypto's X509Certificate (server-side checks in @pakawaaz/mls).
const unavailable =
  (what: string) =>
  (..._args: unknown[]): never => {
    throw new Error(`${what} is not available in the browser`);
  };

export const mtlsFetch = unavailable('mutual TLS');

export class X509Certificate {
  constructor() {
    unavailable('node:crypto X509Certificate')();
  }
}

// The types ChatClient names (erased).
export type ClientTls = { certPem: string; keyPem: string; caPems: readonly string[] };
export type MtlsFetch = ((request: Request) => Promise<Response>) & { close(): void };
