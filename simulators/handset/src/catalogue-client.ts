/** The route handsets fetch their institution's catalogue from (authenticated by the device certificate). */
export const CATALOGUE_ROUTE = '/api/v1/store/catalogue';

/** A fetch presenting the device certificate (mtlsFetch, or a test's). */
export type DeviceFetch = (request: Request) => Promise<Response>;

/**
 * The handset's check of a fetched catalogue: `verifyCatalogue` of @pakawaaz/app-store/catalogue bound to the
 * handset's pins (catalogue key, institution, log key and origin). Passed in, as a handset is a client of
 * the API only: the verifier is the catalogue format's, which the caller (lab, a test) imports.
 */
export type CatalogueVerifier<I> = (
  entryJws: string,
  indexBytes: Uint8Array,
  state: { lastSeenTimestamp?: number },
) => Promise<
  | { readonly ok: true; readonly entry: { readonly timestamp: number }; readonly index: I }
  | { readonly ok: false; readonly code: string; readonly message: string }
>;

export type CatalogueRefresh<I> =
  | { readonly status: 'updated'; readonly timestamp: number; readonly index: I }
  | { readonly status: 'unchanged'; readonly timestamp: number };

/** Why a handset refused a catalogue: the verifier's code, or `catalogue_http_error` for the server's reply. */
export class CatalogueRefused extends Error {
  override readonly name = 'CatalogueRefused';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A handset's catalogue client, as the store app runs it: it sends the ETag of the catalogue it holds (RFC
 * 9110 §13.1.2, so an unchanged catalogue costs a 304 and no body), and accepts a new one only once the
 * verifier passes it, never older than the one it holds (rollback).
 */
export class CatalogueClient<I = unknown> {
  private etag: string | undefined;
  private held: { timestamp: number; index: I } | undefined;
  /** Requests answered 304. */
  unchangedCount = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly fetch: DeviceFetch,
    private readonly verify: CatalogueVerifier<I>,
  ) {}

  get current(): I | undefined {
    return this.held?.index;
  }

  async refresh(): Promise<CatalogueRefresh<I>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.etag && this.held) headers['if-none-match'] = this.etag;
    const res = await this.fetch(new Request(new URL(CATALOGUE_ROUTE, this.baseUrl), { headers }));
    if (res.status === 304 && this.held) {
      await res.arrayBuffer();
      this.unchangedCount++;
      return { status: 'unchanged', timestamp: this.held.timestamp };
    }
    if (res.status !== 200)
      throw new CatalogueRefused('catalogue_http_error', `${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { entry: string; index: string };
    const verdict = await this.verify(
      body.entry,
      Buffer.from(body.index, 'utf8'),
      this.held ? { lastSeenTimestamp: this.held.timestamp } : {},
    );
    if (!verdict.ok) throw new CatalogueRefused(verdict.code, verdict.message);
    this.etag = res.headers.get('etag') ?? undefined;
    this.held = { timestamp: verdict.entry.timestamp, index: verdict.index };
    return { status: 'updated', timestamp: verdict.entry.timestamp, index: verdict.index };
  }
}
