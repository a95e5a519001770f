import {
  verifyCatalogue,
  type CatalogueErrorCode,
  type CatalogueIndex,
  type CataloguePins,
} from '@pakawaaz/app-store/catalogue';

/** The route handsets fetch their institution's catalogue from (authenticated by the device certificate). */
export const CATALOGUE_ROUTE = '/api/v1/store/catalogue';

/** A fetch presenting the device certificate (the handset simulator's mtlsFetch, or a test's). */
export type DeviceFetch = (request: Request) => Promise<Response>;

export type CatalogueRefresh =
  | { readonly status: 'updated'; readonly timestamp: number; readonly index: CatalogueIndex }
  | { readonly status: 'unchanged'; readonly timestamp: number };

/** Why a handset refused a catalogue: the verifier's code, or the server's reply. */
export class CatalogueRefused extends Error {
  override readonly name = 'CatalogueRefused';
  constructor(
    readonly code: CatalogueErrorCode | 'catalogue_http_error',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A handset's catalogue client, as the store app runs it: it sends the ETag of the catalogue it holds (RFC
 * 9110 §13.1.2, so an unchanged catalogue costs a 304 and no body), and accepts a new one only after
 * verifyCatalogue passes with the pinned catalogue and log keys and no rollback below what it holds.
 */
export class CatalogueClient {
  private etag: string | undefined;
  private held: { timestamp: number; index: CatalogueIndex } | undefined;
  /** Requests answered 304. */
  unchangedCount = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly fetch: DeviceFetch,
    private readonly pins: CataloguePins,
  ) {}

  get current(): CatalogueIndex | undefined {
    return this.held?.index;
  }

  async refresh(): Promise<CatalogueRefresh> {
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
    const verdict = await verifyCatalogue(
      body.entry,
      Buffer.from(body.index, 'utf8'),
      this.pins,
      this.held ? { lastSeenTimestamp: this.held.timestamp } : {},
    );
    if (!verdict.ok) throw new CatalogueRefused(verdict.code, verdict.message);
    this.etag = res.headers.get('etag') ?? undefined;
    this.held = { timestamp: verdict.entry.timestamp, index: verdict.index };
    return { status: 'updated', timestamp: verdict.entry.timestamp, index: verdict.index };
  }
}
