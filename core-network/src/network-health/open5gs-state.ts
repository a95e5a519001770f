/**
 * Open5GS JSON state APIs ("infoAPI", on the same metrics server as /metrics, default :9090):
 * AMF `/gnb-info` and `/ue-info`, MME `/enb-info` and `/ue-info`, SMF `/pdu-info`.
 *
 * Shapes follow lib/metrics/prometheus/json_pager.c, src/amf/gnb-info.c and the infoAPI tutorial of Open5GS
 * (main branch, 2025): `{ items: [...], pager: { page, page_size, count, truncated?, prev?, next? } }`, pages
 * of at most 100 items, `count` being the items on this page and `next` present while more follow. The API
 * is new and still moving, so the schemas are tolerant: unknown keys pass, every item field is optional
 * except the RAN node ids, and a bare array (what the server falls back to when the JSON outgrows its
 * buffer) is accepted and reported as truncated. Builds without the API answer 400/404: not an NF fault.
 */
import { z } from 'zod';
import { fetchNfText, NfFetchError, type NfFetchOptions } from './nf-http.js';
import type { NfType } from './open5gs-metrics.js';

export type Open5gsStateEndpoint = 'gnb-info' | 'enb-info' | 'ue-info' | 'pdu-info';

/** Which endpoints each NF type serves. */
export const OPEN5GS_STATE_ENDPOINTS: Partial<Record<NfType, readonly Open5gsStateEndpoint[]>> = {
  amf: ['gnb-info', 'ue-info'],
  mme: ['enb-info', 'ue-info'],
  smf: ['pdu-info'],
};

/** Open5GS caps page_size at 100. */
export const OPEN5GS_STATE_PAGE_SIZE = 100;
const MAX_ITEMS_PER_PAGE = 1_000;

const Snssai = z.looseObject({ sst: z.number().int(), sd: z.string().optional() });
const Sctp = z.looseObject({ peer: z.string().optional() }).optional();
const Pager = z.looseObject({
  page: z.number().optional(),
  page_size: z.number().optional(),
  count: z.number().optional(),
  truncated: z.boolean().optional(),
  next: z.string().optional(),
});

export const GnbInfoItem = z.looseObject({
  gnb_id: z.number().int().nonnegative(),
  plmn: z.string().optional(),
  network: z.looseObject({ amf_name: z.string().optional(), ngap_port: z.number().optional() }).optional(),
  ng: z.looseObject({ sctp: Sctp, setup_success: z.boolean().optional() }).optional(),
  supported_ta_list: z
    .array(
      z.looseObject({
        tac: z.string(),
        bplmns: z.array(z.looseObject({ plmn: z.string(), snssai: z.array(Snssai).optional() })).optional(),
      }),
    )
    .optional(),
  num_connected_ues: z.number().int().nonnegative().optional(),
});
export const EnbInfoItem = z.looseObject({
  enb_id: z.number().int().nonnegative(),
  plmn: z.string().optional(),
  network: z.looseObject({ mme_name: z.string().optional() }).optional(),
  s1: z.looseObject({ sctp: Sctp, setup_success: z.boolean().optional() }).optional(),
  supported_ta_list: z.array(z.looseObject({ tac: z.string(), plmn: z.string().optional() })).optional(),
  num_connected_ues: z.number().int().nonnegative().optional(),
});
/** AMF items carry `gnb`, MME items `enb` and `pdn`; both have `supi` and `cm_state`. */
export const UeInfoItem = z.looseObject({
  supi: z.string().optional(),
  cm_state: z.string().optional(),
  gnb: z.looseObject({ gnb_id: z.number().optional(), cell_id: z.number().optional() }).optional(),
  enb: z.looseObject({ enb_id: z.number().optional(), cell_id: z.number().optional() }).optional(),
  pdu_sessions_count: z.number().optional(),
  pdn_count: z.number().optional(),
});
export const PduInfoItem = z.looseObject({
  supi: z.string().optional(),
  ue_activity: z.string().optional(),
  pdu: z
    .array(
      z.looseObject({
        psi: z.number().optional(),
        ebi: z.number().optional(),
        dnn: z.string().optional(),
        apn: z.string().optional(),
        ipv4: z.string().optional(),
        ipv6: z.string().optional(),
        snssai: Snssai.optional(),
        pdu_state: z.string().optional(),
      }),
    )
    .optional(),
});

const ITEM_SCHEMAS = {
  'gnb-info': GnbInfoItem,
  'enb-info': EnbInfoItem,
  'ue-info': UeInfoItem,
  'pdu-info': PduInfoItem,
} as const;
export type Open5gsStateItem<E extends Open5gsStateEndpoint> = z.infer<(typeof ITEM_SCHEMAS)[E]>;

/** All items of an endpoint, across pages; `complete` is false when pages were left (maxPages) or the NF truncated. */
export type Open5gsStateList<E extends Open5gsStateEndpoint> = {
  readonly items: Open5gsStateItem<E>[];
  readonly complete: boolean;
};

export type StateFetchOptions = NfFetchOptions & { readonly maxPages: number };

export async function fetchOpen5gsStateList<E extends Open5gsStateEndpoint>(
  baseUrl: string,
  endpoint: E,
  options: StateFetchOptions,
): Promise<Open5gsStateList<E>> {
  const items: Open5gsStateItem<E>[] = [];
  for (let page = 0; page < options.maxPages; page++) {
    const url = `${baseUrl.replace(/\/+$/, '')}/${endpoint}?page=${page}&page_size=${OPEN5GS_STATE_PAGE_SIZE}`;
    const body = await fetchNfText(url, { ...options, accept: 'application/json' });
    const parsed = parseStatePage(endpoint, body);
    items.push(...parsed.items);
    if (parsed.truncated) return { items, complete: false };
    if (!parsed.hasNext) return { items, complete: true };
  }
  return { items, complete: false };
}

/** Validates one page; exported for tests and for callers that fetch pages themselves. */
export function parseStatePage<E extends Open5gsStateEndpoint>(
  endpoint: E,
  body: string,
): { items: Open5gsStateItem<E>[]; hasNext: boolean; truncated: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new NfFetchError(`${endpoint}: the response is not JSON`);
  }
  const item = ITEM_SCHEMAS[endpoint] as unknown as z.ZodType<Open5gsStateItem<E>>;
  if (Array.isArray(json)) {
    const items = z.array(item).max(MAX_ITEMS_PER_PAGE).safeParse(json);
    if (!items.success) throw invalid(endpoint, items.error);
    return { items: items.data, hasNext: false, truncated: true };
  }
  const page = z
    .looseObject({ items: z.array(item).max(MAX_ITEMS_PER_PAGE), pager: Pager.optional() })
    .safeParse(json);
  if (!page.success) throw invalid(endpoint, page.error);
  const pager = page.data.pager;
  // json_pager.c adds `next` exactly when another page follows.
  return { items: page.data.items, hasNext: pager?.next !== undefined, truncated: pager?.truncated === true };
}

function invalid(endpoint: Open5gsStateEndpoint, error: z.ZodError): NfFetchError {
  const first = error.issues[0];
  const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
  return new NfFetchError(`${endpoint}: unexpected response (${where})`);
}

/** A gNB (AMF) or eNB (MME) as the NOC shows it. */
export type RanNode = {
  readonly id: number;
  readonly plmn: string | null;
  readonly peer: string | null;
  readonly connectedUes: number | null;
  readonly setupSuccess: boolean | null;
  readonly tacs: string[];
};

/** What the state APIs say about one NF, summarised: no subscriber identities leave this function. */
export type NfStateSummary = {
  readonly ranNodes: RanNode[] | null;
  readonly ues: { readonly count: number; readonly connected: number; readonly complete: boolean } | null;
  readonly pduSessions: {
    readonly ues: number;
    readonly sessions: number;
    readonly active: number;
    readonly complete: boolean;
  } | null;
  /** Endpoints that failed, with why; an old Open5GS without the infoAPI answers 400 here. */
  readonly errors: string[];
};

/** Fetches and summarises every state endpoint the NF type serves; failures are collected, never thrown. */
export async function fetchNfStateSummary(
  nfType: NfType,
  baseUrl: string,
  options: StateFetchOptions,
): Promise<NfStateSummary> {
  const summary: MutableSummary = { ranNodes: null, ues: null, pduSessions: null, errors: [] };
  for (const endpoint of OPEN5GS_STATE_ENDPOINTS[nfType] ?? []) {
    try {
      await summarise(summary, endpoint, baseUrl, options);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const hint =
        err instanceof NfFetchError && (err.status === 400 || err.status === 404)
          ? ' (no infoAPI in this Open5GS build?)'
          : '';
      summary.errors.push(`${endpoint}: ${reason.replace(new RegExp(`^${endpoint}: `), '')}${hint}`);
    }
  }
  return summary;
}

type MutableSummary = { -readonly [K in keyof NfStateSummary]: NfStateSummary[K] };

async function summarise(
  summary: MutableSummary,
  endpoint: Open5gsStateEndpoint,
  baseUrl: string,
  options: StateFetchOptions,
): Promise<void> {
  switch (endpoint) {
    case 'gnb-info': {
      const { items } = await fetchOpen5gsStateList(baseUrl, endpoint, options);
      summary.ranNodes = items.map((g) =>
        ranNode(g.gnb_id, g.plmn, g.ng, g.num_connected_ues, g.supported_ta_list),
      );
      return;
    }
    case 'enb-info': {
      const { items } = await fetchOpen5gsStateList(baseUrl, endpoint, options);
      summary.ranNodes = items.map((e) =>
        ranNode(e.enb_id, e.plmn, e.s1, e.num_connected_ues, e.supported_ta_list),
      );
      return;
    }
    case 'ue-info':
      summary.ues = ueCounts(await fetchOpen5gsStateList(baseUrl, endpoint, options));
      return;
    case 'pdu-info':
      summary.pduSessions = sessionCounts(await fetchOpen5gsStateList(baseUrl, endpoint, options));
      return;
  }
}

function ueCounts({ items, complete }: Open5gsStateList<'ue-info'>): NfStateSummary['ues'] {
  return { count: items.length, connected: items.filter((u) => u.cm_state === 'connected').length, complete };
}

function sessionCounts({ items, complete }: Open5gsStateList<'pdu-info'>): NfStateSummary['pduSessions'] {
  const sessions = items.flatMap((u) => u.pdu ?? []);
  const active = sessions.filter((p) => p.pdu_state === 'active').length;
  return { ues: items.length, sessions: sessions.length, active, complete };
}

function ranNode(
  id: number,
  plmn: string | undefined,
  link: { sctp?: { peer?: string | undefined } | undefined; setup_success?: boolean | undefined } | undefined,
  connectedUes: number | undefined,
  tas: readonly { tac: string }[] | undefined,
): RanNode {
  return {
    id,
    plmn: plmn ?? null,
    peer: link?.sctp?.peer ?? null,
    connectedUes: connectedUes ?? null,
    setupSuccess: link?.setup_success ?? null,
    tacs: (tas ?? []).map((t) => t.tac),
  };
}
