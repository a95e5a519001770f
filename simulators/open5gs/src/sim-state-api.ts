/**
 * The JSON "infoAPI" of the simulated NFs, shaped like Open5GS's (main, 2025): AMF /gnb-info and /ue-info,
 * MME /enb-info and /ue-info, SMF /pdu-info, each `{ items, pager: { page, page_size, count, prev?, next? } }`
 * with pages of at most 100 items and `page=-1` for everything. Items are built only for the page asked for.
 * The IMSIs are on the 3GPP test PLMN the simulation uses; they are not anyone's.
 */
import { hash01 } from './prng.js';
import { enbAddress, gnbAddress, type SimNfType } from './sim-metrics.js';
import type { SimWorld } from './sim-world.js';

export type SimStateEndpoint = 'gnb-info' | 'enb-info' | 'ue-info' | 'pdu-info';

export const SIM_STATE_ENDPOINTS: Record<SimNfType, readonly SimStateEndpoint[]> = {
  amf: ['gnb-info', 'ue-info'],
  mme: ['enb-info', 'ue-info'],
  smf: ['pdu-info'],
  upf: [],
};

const PAGE_SIZE_MAX = 100;
/** Open5GS renders into a buffer it grows once to 1 MiB, and answers `[]` when even that is too small. */
const MAX_JSON_BYTES = 1024 * 1024;

type Paging = { all: boolean; page: number; size: number };

/** Mirrors get_query_size_t: strtoull semantics, so "-1" wraps to SIZE_MAX, which means "no paging". */
function paging(query: URLSearchParams): Paging {
  const num = (key: string, fallback: number): number => {
    const raw = query.get(key);
    return raw !== null && /^-?\d+$/.test(raw) ? Number(raw) : fallback;
  };
  const page = num('page', 0);
  const size = num('page_size', PAGE_SIZE_MAX);
  return {
    all: page < 0,
    page: Math.max(0, page),
    size: size <= 0 || size > PAGE_SIZE_MAX ? PAGE_SIZE_MAX : size,
  };
}

/** The JSON body of one endpoint page. */
export function statePage(
  endpoint: SimStateEndpoint,
  nf: SimNfType,
  world: SimWorld,
  query: URLSearchParams,
): string {
  const p = paging(query);
  const total = itemCount(endpoint, nf, world);
  const start = p.all ? 0 : p.page * p.size;
  const end = p.all ? total : Math.min(total, start + p.size);
  const items: unknown[] = [];
  for (let i = start; i < end; i++) items.push(item(endpoint, nf, world, i));
  const pager: Record<string, unknown> = {
    page: p.all ? 0 : p.page,
    page_size: p.all ? 0 : p.size,
    count: items.length,
  };
  if (!p.all && p.page > 0) pager.prev = `/${endpoint}?page=${p.page - 1}`;
  if (!p.all && end < total) pager.next = `/${endpoint}?page=${p.page + 1}`;
  const body = JSON.stringify({ items, pager });
  return Buffer.byteLength(body) > MAX_JSON_BYTES ? '[]' : body;
}

/** Connected RAN nodes (indexes), UEs known to the NF, or UEs with sessions. */
function itemCount(endpoint: SimStateEndpoint, nf: SimNfType, world: SimWorld): number {
  switch (endpoint) {
    case 'gnb-info':
      return connectedIndexes(world.gnbUp).length;
    case 'enb-info':
      return connectedIndexes(world.enbUp).length;
    case 'ue-info':
      return nf === 'mme' ? Math.round(world.registered / 4) : world.registered;
    case 'pdu-info':
      return Math.min(world.registered, world.sessions);
  }
}

function item(endpoint: SimStateEndpoint, nf: SimNfType, world: SimWorld, i: number): unknown {
  switch (endpoint) {
    case 'gnb-info':
      return gnbItem(world, connectedIndexes(world.gnbUp)[i] ?? 0);
    case 'enb-info':
      return enbItem(world, connectedIndexes(world.enbUp)[i] ?? 0);
    case 'ue-info':
      return nf === 'mme' ? lteUeItem(world, world.registered - 1 - i) : nrUeItem(world, i);
    case 'pdu-info':
      return pduItem(world, i);
  }
}

const connectedIndexes = (up: readonly boolean[]): number[] => up.flatMap((u, i) => (u ? [i] : []));

function gnbItem(world: SimWorld, i: number) {
  const { plmn, slices } = world.config;
  const gnbs = Math.max(1, world.gnbUp.filter(Boolean).length);
  return {
    gnb_id: 100 + i,
    plmn,
    network: { amf_name: 'pakawaaz-sim-amf', ngap_port: 38412 },
    ng: {
      sctp: { peer: `[${gnbAddress(i)}]:${38412 + i}`, max_out_streams: 2, next_ostream_id: 1 },
      setup_success: true,
    },
    supported_ta_list: [
      { tac: '000001', bplmns: [{ plmn, snssai: slices.map((s) => ({ sst: s.sst, sd: s.sd })) }] },
    ],
    num_connected_ues: Math.floor(world.connectedUes() / gnbs) + (i === 0 ? world.connectedUes() % gnbs : 0),
  };
}

function enbItem(world: SimWorld, i: number) {
  return {
    enb_id: 264040 + i,
    plmn: world.config.plmn,
    network: { mme_name: 'pakawaaz-sim-mme' },
    s1: {
      sctp: { peer: `[${enbAddress(i)}]:36412`, max_out_streams: 10, next_ostream_id: 3 },
      setup_success: true,
    },
    supported_ta_list: [{ tac: '0001', plmn: world.config.plmn }],
    num_connected_ues: Math.round(
      world.connectedUes('enb') / 4 / Math.max(1, world.enbUp.filter(Boolean).length),
    ),
  };
}

const imsi = (world: SimWorld, i: number): string => `${world.config.plmn}${String(i + 1).padStart(10, '0')}`;
const isConnected = (world: SimWorld, i: number): boolean =>
  world.ranUp() && hash01(world.config.seed, i, world.step) < world.connectedRatio;

function nrUeItem(world: SimWorld, i: number) {
  const { plmn, slices, dnn } = world.config;
  const gnbs = connectedIndexes(world.gnbUp);
  const gnb = 100 + (gnbs[i % Math.max(1, gnbs.length)] ?? 0);
  const sessions = i < Math.min(world.registered, world.sessions) ? [{ psi: 1, dnn, snssai: slices[0] }] : [];
  return {
    supi: `imsi-${imsi(world, i)}`,
    pei: `imeisv-35${String(i).padStart(14, '0')}`,
    cm_state: isConnected(world, i) ? 'connected' : 'idle',
    guti: `${plmn}-030080-${(0xc0000000 + i).toString(16).toUpperCase()}`,
    m_tmsi: 0xc0000000 + i,
    gnb: { ostream_id: 1, amf_ue_ngap_id: i + 1, ran_ue_ngap_id: i + 1, gnb_id: gnb, cell_id: 1 },
    location: { nr_tai: { plmn, tac_hex: '000001', tac: 1 }, nr_cgi: { plmn, gnb_id: gnb, cell_id: 1 } },
    msisdn: [],
    security: { valid: 1, enc: 'nea2', int: 'nia2' },
    ambr: { downlink: 1_000_000_000, uplink: 1_000_000_000 },
    pdu_sessions: sessions,
    pdu_sessions_count: sessions.length,
    allowed_slices: slices,
    allowed_slices_count: slices.length,
  };
}

function lteUeItem(world: SimWorld, i: number) {
  return {
    supi: imsi(world, i),
    domain: 'EPS',
    rat: 'E-UTRA',
    cm_state: isConnected(world, i) ? 'connected' : 'idle',
    enb: { ostream_id: 3, mme_ue_ngap_id: i + 1, ran_ue_ngap_id: i + 1, enb_id: 264040, cell_id: 67594275 },
    location: { tai: { plmn: world.config.plmn, tac_hex: '0001', tac: 1 } },
    ambr: { downlink: 1_000_000_000, uplink: 1_000_000_000 },
    pdn: [
      {
        apn: world.config.dnn,
        qos_flows: [{ ebi: 5 }],
        qci: 9,
        ebi: 5,
        bearer_count: 1,
        pdu_state: 'active',
      },
    ],
    pdn_count: 1,
  };
}

function pduItem(world: SimWorld, i: number) {
  const ues = Math.min(world.registered, world.sessions);
  const count = i < world.sessions - ues ? 2 : 1;
  const connected = isConnected(world, i);
  const pdu = Array.from({ length: count }, (_, k) => ({
    psi: k + 1,
    dnn: world.config.dnn,
    ipv4: `10.45.${Math.floor((i * 2 + k) / 250) % 256}.${((i * 2 + k) % 250) + 2}`,
    snssai: world.config.slices[0],
    qos_flows: [{ qfi: 1, '5qi': 9 }],
    pdu_state: connected ? 'active' : 'inactive',
  }));
  return { supi: `imsi-${imsi(world, i)}`, pdu, ue_activity: connected ? 'active' : 'idle' };
}
