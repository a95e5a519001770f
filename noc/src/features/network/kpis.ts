import { formatCount } from '../../format';
import type { NfHealth } from './queries';

/** The KPIs an operator looks at first, by NF type; any others follow. */
const KEY_KPIS: Partial<Record<NfHealth['nf'], string[]>> = {
  amf: ['registered_ues', 'gnbs_connected', 'registration_success_ratio', 'auth_failure_ratio'],
  smf: ['pdu_sessions_active', 'pdu_session_success_ratio', 'ues_active'],
  upf: ['upf_sessions', 'n3_packets_in_per_s', 'n3_packets_out_per_s'],
  mme: ['enbs_connected', 'enb_ues', 'mme_sessions'],
};
const SHOWN_KPIS = 4;

const KPI_LABELS: Record<string, string> = {
  registered_ues: 'registered UEs',
  gnbs_connected: 'gNBs',
  ran_ues: 'RAN UEs',
  amf_sessions: 'sessions',
  bearers_active: 'bearers',
  registration_success_ratio: 'registration success',
  auth_failure_ratio: 'auth failures',
  pdu_sessions_active: 'PDU sessions',
  pdu_session_success_ratio: 'PDU setup success',
  ues_active: 'active UEs',
  upf_sessions: 'sessions',
  n3_packets_in_per_s: 'N3 in pkt/s',
  n3_packets_out_per_s: 'N3 out pkt/s',
  enbs_connected: 'eNBs',
  enb_ues: 'eNB UEs',
  mme_sessions: 'sessions',
};

export const kpiLabel = (name: string): string => KPI_LABELS[name] ?? name.replace(/_/g, ' ');

export function kpiValue(name: string, value: number): string {
  if (name.endsWith('_ratio')) return `${(value * 100).toFixed(1)}%`;
  if (name.endsWith('_per_s')) return value.toFixed(1);
  return formatCount(value);
}

export function keyKpis(nf: NfHealth): [string, number][] {
  const keys = KEY_KPIS[nf.nf] ?? [];
  const rank = (k: string): number => (keys.includes(k) ? keys.indexOf(k) : keys.length);
  return Object.entries(nf.kpis)
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, SHOWN_KPIS);
}
