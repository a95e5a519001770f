/**
 * The `/metrics` page of each simulated NF, with the metric names, types, HELP texts and label sets Open5GS
 * 2.7.7 registers (src/{amf,smf,upf,mme}/metrics.c), printed the way its prometheus-client-c does: HELP, TYPE,
 * samples, a blank line; families whose labelled series do not exist yet appear with no samples. Checked
 * against the pages of the real NFs (core-network/src/network-health/__upstream__/open5gs-2.7.7/).
 */
import type { SimCounters, SimWorld } from './sim-world.js';

export type SimNfType = 'amf' | 'smf' | 'upf' | 'mme';

type Sample = { readonly labels?: Readonly<Record<string, string>>; readonly value: number };
type Family = {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly samples: readonly Sample[];
};

export function renderExposition(families: readonly Family[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${renderLabels(s.labels)} ${formatValue(s.value)}\n`;
    out += '\n';
  }
  return out;
}

function renderLabels(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels || Object.keys(labels).length === 0) return '';
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(',')}}`;
}

/** C's %.17g prints integers plainly and NaN/inf in lower case. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return String(v);
}

/** The metrics page of one NF; `counters` are already relative to the NF's last (simulated) restart. */
export function nfMetricsPage(nf: SimNfType, world: SimWorld, counters: SimCounters, name: string): string {
  switch (nf) {
    case 'amf':
      return renderExposition(amfFamilies(world, counters));
    case 'smf':
      return renderExposition(smfFamilies(world, counters));
    case 'upf':
      return renderExposition(upfFamilies(world, counters, name));
    case 'mme':
      return renderExposition(mmeFamilies(world));
  }
}

const gauge = (name: string, help: string, samples: Sample[]): Family => ({
  name,
  help,
  type: 'gauge',
  samples,
});
const counter = (name: string, help: string, samples: Sample[]): Family => ({
  name,
  help,
  type: 'counter',
  samples,
});
const byLabel = (label: string, values: Record<string, number>): Sample[] =>
  Object.entries(values).map(([v, value]) => ({ labels: { [label]: v }, value }));

/** Splits a total over the slices (the first takes the remainder) with Open5GS's plmnid/snssai labels. */
function perSlice(world: SimWorld, total: number): Sample[] {
  const { slices, plmn } = world.config;
  const each = Math.floor(total / slices.length);
  return slices.map((s, i) => ({
    labels: { plmnid: plmn, snssai: `${s.sst}-${s.sd}` },
    value: i === 0 ? total - each * (slices.length - 1) : each,
  }));
}

function amfFamilies(world: SimWorld, c: SimCounters): Family[] {
  const connected = world.connectedUes();
  return [
    gauge('ran_ue', 'RAN UEs', [{ value: connected }]),
    gauge('amf_session', 'AMF Sessions', [
      { value: Math.round(world.sessions * (connected / Math.max(1, world.registered))) },
    ]),
    ...amfCounters(c),
    gauge(
      'fivegs_amffunction_rm_registeredsubnbr',
      'Number of registered state subscribers per AMF',
      perSlice(world, world.registered),
    ),
    // One unlabelled gauge, incremented per NG Setup and decremented per removed gNB (src/amf/context.c).
    gauge('gnb', 'gNodeBs', [{ value: world.gnbUp.filter(Boolean).length }]),
  ];
}

function amfCounters(c: SimCounters): Family[] {
  return [
    counter(
      'fivegs_amffunction_rm_reginitreq',
      'Number of initial registration requests received by the AMF',
      [{ value: c.regInitReq }],
    ),
    counter('fivegs_amffunction_rm_reginitsucc', 'Number of successful initial registrations at the AMF', [
      { value: c.regInitSucc },
    ]),
    counter('fivegs_amffunction_amf_authreq', 'Number of authentication requests sent by the AMF', [
      { value: c.authReq },
    ]),
    counter('fivegs_amffunction_amf_authreject', 'Number of authentication rejections sent by the AMF', [
      { value: c.authReject },
    ]),
    counter(
      'fivegs_amffunction_rm_reginitfail',
      'Number of failed initial registrations at the AMF',
      byLabel('cause', c.regInitFail),
    ),
    counter(
      'fivegs_amffunction_amf_authfail',
      'Number of authentication failure messages received by the AMF',
      [],
    ),
  ];
}

function smfFamilies(world: SimWorld, c: SimCounters): Family[] {
  const ues = Math.min(world.registered, world.sessions);
  return [
    counter(
      'fivegs_smffunction_sm_n4sessionestabreq',
      'Number of requested N4 session establishments evidented by SMF',
      [{ value: c.n4EstabReq }],
    ),
    gauge('ues_active', 'Active User Equipments', [{ value: ues }]),
    gauge('bearers_active', 'Active Bearers', [{ value: world.sessions }]),
    gauge('pfcp_sessions_active', 'Active PFCP Sessions', [{ value: world.sessions }]),
    gauge('pfcp_peers_active', 'Active PFCP peers', [{ value: world.config.upfs.length }]),
    gauge('fivegs_smffunction_sm_sessionnbr', 'Active Sessions', perSlice(world, world.sessions)),
    counter(
      'fivegs_smffunction_sm_pdusessioncreationreq',
      'Number of PDU sessions requested to be created by the SMF',
      perSlice(world, c.pduReq),
    ),
    counter(
      'fivegs_smffunction_sm_pdusessioncreationsucc',
      'Number of PDU sessions successfully created by the SMF',
      perSlice(world, c.pduSucc),
    ),
    counter(
      'fivegs_smffunction_sm_pdusessioncreationfail',
      'Number of PDU sessions failed to be created by the SMF',
      byLabel('cause', c.pduFail),
    ),
  ];
}

function upfFamilies(world: SimWorld, c: SimCounters, name: string): Family[] {
  const sessions = world.upfSessions(name);
  return [
    counter('fivegs_ep_n3_gtp_indatapktn3upf', 'Number of incoming GTP data packets on the N3 interface', [
      { value: c.n3In[name] ?? 0 },
    ]),
    counter('fivegs_ep_n3_gtp_outdatapktn3upf', 'Number of outgoing GTP data packets on the N3 interface', [
      { value: c.n3Out[name] ?? 0 },
    ]),
    counter('fivegs_upffunction_sm_n4sessionestabreq', 'Number of requested N4 session establishments', [
      { value: Math.round(c.n4EstabReq / Math.max(1, world.config.upfs.length)) },
    ]),
    gauge('fivegs_upffunction_upf_sessionnbr', 'Active Sessions', [{ value: sessions }]),
    gauge('pfcp_peers_active', 'Active PFCP peers', [{ value: 1 }]),
    gauge('fivegs_upffunction_upf_qosflows', 'Number of QoS flows of UPF', [
      { labels: { dnn: world.config.dnn }, value: sessions },
    ]),
  ];
}

function mmeFamilies(world: SimWorld): Family[] {
  // The LTE share of the population: a quarter, in this simulation.
  const lte = Math.round(world.connectedUes('enb') / 4);
  const enbs = world.enbUp.filter(Boolean).length;
  return [
    gauge('enb_ue', 'Number of UEs connected to eNodeBs', [{ value: lte }]),
    gauge('mme_session', 'MME Sessions', [{ value: Math.round(world.registered / 4) }]),
    // One unlabelled gauge, like the AMF's `gnb` (src/mme/metrics.c).
    gauge('enb', 'eNodeBs', [{ value: enbs }]),
  ];
}

export const gnbAddress = (i: number): string => `10.10.${Math.floor(i / 250)}.${(i % 250) + 1}`;
export const enbAddress = (i: number): string => `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`;

/** Counters minus a snapshot taken at the NF's last restart: a restarted Open5GS starts from zero. */
export function countersSince(now: SimCounters, base: SimCounters | null): SimCounters {
  if (!base) return now;
  // Labelled series created after the restart only: Open5GS creates them on first use.
  const minus = (
    a: Record<string, number>,
    b: Record<string, number>,
    keepZero: boolean,
  ): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(a)) if (keepZero || v - (b[k] ?? 0) > 0) out[k] = v - (b[k] ?? 0);
    return out;
  };
  return {
    regInitReq: now.regInitReq - base.regInitReq,
    regInitSucc: now.regInitSucc - base.regInitSucc,
    regInitFail: minus(now.regInitFail, base.regInitFail, false),
    authReq: now.authReq - base.authReq,
    authReject: now.authReject - base.authReject,
    pduReq: now.pduReq - base.pduReq,
    pduSucc: now.pduSucc - base.pduSucc,
    pduFail: minus(now.pduFail, base.pduFail, false),
    n4EstabReq: now.n4EstabReq - base.n4EstabReq,
    n3In: minus(now.n3In, base.n3In, true),
    n3Out: minus(now.n3Out, base.n3Out, true),
  };
}

export function snapshotCounters(c: SimCounters): SimCounters {
  return structuredClone(c);
}
