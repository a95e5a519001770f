/**
 * KPIs of Open5GS NFs from their Prometheus metrics. Pure: two parsed scrapes in, numbers out.
 *
 * Metric names are those Open5GS 2.7 registers in src/{amf,smf,upf,mme}/metrics.c, checked against the pages
 * of the real 2.7.7 NFs (__upstream__/open5gs-2.7.7/ and the lab's real-NF test). The global gauges and
 * counters (`gnb`, `ran_ue`, `fivegs_amffunction_rm_reginitreq`, …) are unlabelled and always present; the
 * families labelled per slice (plmnid, snssai) or cause are created lazily on first use (an idle AMF prints
 * `fivegs_amffunction_rm_registeredsubnbr`'s HELP/TYPE lines without samples), so families are summed over
 * their series, and a family that is declared but empty counts as 0 while one that is absent yields no KPI.
 */
import type { PromExposition, PromSample } from './prometheus-text.js';

/** Open5GS NF types a target can be (5GC, EPC, roaming). Only amf/smf/upf/mme have KPIs; the rest are up/down. */
export const NF_TYPES = [
  'amf',
  'smf',
  'upf',
  'mme',
  'nrf',
  'scp',
  'sepp',
  'ausf',
  'udm',
  'udr',
  'pcf',
  'nssf',
  'bsf',
  'sgwc',
  'sgwu',
  'hss',
  'pcrf',
] as const;
export type NfType = (typeof NF_TYPES)[number];

export const KPI_NAMES = [
  // AMF
  'registration_requests',
  'registration_successes',
  'registration_success_ratio',
  'auth_requests',
  'auth_rejects',
  'auth_failure_ratio',
  'gnbs_connected',
  'registered_ues',
  'ran_ues',
  'amf_sessions',
  // SMF
  'pdu_session_requests',
  'pdu_session_success_ratio',
  'pdu_sessions_active',
  'ues_active',
  'bearers_active',
  // UPF
  'upf_sessions',
  'n3_packets_in_per_s',
  'n3_packets_out_per_s',
  // MME
  'enbs_connected',
  'enb_ues',
  'mme_sessions',
] as const;
export type KpiName = (typeof KPI_NAMES)[number];

/** KPIs of one scrape; a KPI that cannot be computed (first scrape, no requests, not exported) is absent. */
export type Kpis = Partial<Record<KpiName, number>>;

/** One scrape of one NF: when it was taken (ms since the epoch) and what it returned. */
export type MetricsSnapshot = { readonly at: number; readonly exposition: PromExposition };

/** Exact metric names, as registered by Open5GS 2.7. */
export const OPEN5GS_METRICS = {
  amf: {
    regInitReq: 'fivegs_amffunction_rm_reginitreq',
    regInitSucc: 'fivegs_amffunction_rm_reginitsucc',
    authReq: 'fivegs_amffunction_amf_authreq',
    authReject: 'fivegs_amffunction_amf_authreject',
    registeredSubNbr: 'fivegs_amffunction_rm_registeredsubnbr',
    gnb: 'gnb',
    ranUe: 'ran_ue',
    amfSession: 'amf_session',
  },
  smf: {
    pduCreationReq: 'fivegs_smffunction_sm_pdusessioncreationreq',
    pduCreationSucc: 'fivegs_smffunction_sm_pdusessioncreationsucc',
    pduCreationFail: 'fivegs_smffunction_sm_pdusessioncreationfail',
    sessionNbr: 'fivegs_smffunction_sm_sessionnbr',
    // Open5GS before the per-slice gauge had a global one.
    sessionsActiveLegacy: 'sessions_active',
    uesActive: 'ues_active',
    bearersActive: 'bearers_active',
  },
  upf: {
    n3InPackets: 'fivegs_ep_n3_gtp_indatapktn3upf',
    n3OutPackets: 'fivegs_ep_n3_gtp_outdatapktn3upf',
    sessionNbr: 'fivegs_upffunction_upf_sessionnbr',
  },
  mme: { enb: 'enb', enbUe: 'enb_ue', mmeSession: 'mme_session' },
} as const;

export function computeKpis(nf: NfType, current: MetricsSnapshot, previous: MetricsSnapshot | null): Kpis {
  const kpisOf = KPIS_BY_NF[nf];
  return kpisOf ? finite(kpisOf(new MetricView(current, previous))) : {};
}

function amfKpis(m: MetricView): Kpis {
  const n = OPEN5GS_METRICS.amf;
  const req = m.increase(n.regInitReq);
  const succ = m.increase(n.regInitSucc);
  const authReq = m.increase(n.authReq);
  const authReject = m.increase(n.authReject);
  return {
    registration_requests: req ?? undefined,
    registration_successes: succ ?? undefined,
    registration_success_ratio: ratio(succ, req),
    auth_requests: authReq ?? undefined,
    auth_rejects: authReject ?? undefined,
    auth_failure_ratio: ratio(authReject, authReq),
    // `gnb` is one unlabelled gauge in 2.7.7 (src/amf/metrics.c; +1 per NG Setup, −1 per removed gNB in
    // src/amf/context.c). Summing also covers an exporter that splits it into series.
    gnbs_connected: m.gaugeSum(n.gnb) ?? undefined,
    // RM-REGISTERED subscribers per slice (TS 28.552 RM.RegisteredSubNbr); ran_ue only counts CM-CONNECTED UEs.
    registered_ues: m.gaugeSum(n.registeredSubNbr) ?? m.gaugeSum(n.ranUe) ?? undefined,
    ran_ues: m.gaugeSum(n.ranUe) ?? undefined,
    amf_sessions: m.gaugeSum(n.amfSession) ?? undefined,
  };
}

function smfKpis(m: MetricView): Kpis {
  const n = OPEN5GS_METRICS.smf;
  const req = m.increase(n.pduCreationReq);
  const fail = m.increase(n.pduCreationFail);
  // Req − Fail when the per-cause failure counter is exported: the succ counter has been seen counting a
  // session twice (once more after the UDM registration), which would overstate success.
  const succ = fail !== null && req !== null ? req - fail : m.increase(n.pduCreationSucc);
  return {
    pdu_session_requests: req ?? undefined,
    pdu_session_success_ratio: ratio(succ, req),
    pdu_sessions_active: m.gaugeSum(n.sessionNbr) ?? m.gaugeSum(n.sessionsActiveLegacy) ?? undefined,
    ues_active: m.gaugeSum(n.uesActive) ?? undefined,
    bearers_active: m.gaugeSum(n.bearersActive) ?? undefined,
  };
}

function upfKpis(m: MetricView): Kpis {
  const n = OPEN5GS_METRICS.upf;
  return {
    upf_sessions: m.gaugeSum(n.sessionNbr) ?? undefined,
    n3_packets_in_per_s: m.rate(n.n3InPackets) ?? undefined,
    n3_packets_out_per_s: m.rate(n.n3OutPackets) ?? undefined,
  };
}

function mmeKpis(m: MetricView): Kpis {
  const n = OPEN5GS_METRICS.mme;
  // 2.7.7's `enb` is one unlabelled gauge (src/mme/metrics.c). Should an exporter split it into series
  // with a connected="total" one among them, that one is the total (summing would count twice).
  const total = m.samples(n.enb).find((s) => s.labels.connected === 'total');
  return {
    enbs_connected: total ? total.value : (m.gaugeSum(n.enb) ?? undefined),
    enb_ues: m.gaugeSum(n.enbUe) ?? undefined,
    mme_sessions: m.gaugeSum(n.mmeSession) ?? undefined,
  };
}

const KPIS_BY_NF: Partial<Record<NfType, (m: MetricView) => Kpis>> = {
  amf: amfKpis,
  smf: smfKpis,
  upf: upfKpis,
  mme: mmeKpis,
};

/** part/whole clamped to [0, 1]; undefined without a whole to divide by. */
function ratio(part: number | null, whole: number | null): number | undefined {
  if (part === null || whole === null || whole <= 0) return undefined;
  return Math.min(1, Math.max(0, part / whole));
}

function finite(kpis: Kpis): Kpis {
  const out: Kpis = {};
  for (const [name, value] of Object.entries(kpis) as [KpiName, number | undefined][])
    if (value !== undefined && Number.isFinite(value)) out[name] = value;
  return out;
}

/** Counter and gauge arithmetic over one scrape and the one before it. */
class MetricView {
  constructor(
    private readonly current: MetricsSnapshot,
    private readonly previous: MetricsSnapshot | null,
  ) {}

  samples(name: string, snapshot: MetricsSnapshot = this.current): PromSample[] {
    return snapshot.exposition.samples.filter((s) => s.name === name && Number.isFinite(s.value));
  }

  /** Sum of a gauge's series; 0 for a declared family without series, null for an absent one. */
  gaugeSum(name: string): number | null {
    const samples = this.samples(name);
    if (samples.length === 0) return this.current.exposition.families.has(name) ? 0 : null;
    return samples.reduce((sum, s) => sum + s.value, 0);
  }

  /**
   * How much a counter grew since the previous scrape, summed per series. A series below its previous value
   * was reset (the NF restarted), so all of its current value is new; a series first seen now started at 0.
   */
  increase(name: string): number | null {
    if (!this.previous) return null;
    const now = this.samples(name);
    if (now.length === 0 && !this.current.exposition.families.has(name)) return null;
    const before = new Map(this.samples(name, this.previous).map((s) => [seriesKey(s), s.value]));
    let total = 0;
    for (const s of now) {
      const prev = before.get(seriesKey(s)) ?? 0;
      total += s.value >= prev ? s.value - prev : s.value;
    }
    return total;
  }

  /** Per-second increase over the scrape interval. */
  rate(name: string): number | null {
    const seconds = this.previous ? (this.current.at - this.previous.at) / 1000 : 0;
    const increase = this.increase(name);
    return increase === null || seconds <= 0 ? null : increase / seconds;
  }
}

function seriesKey(s: PromSample): string {
  return JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
