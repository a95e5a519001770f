/**
 * The KPIs (core-network's computeKpis) of an idle Open5GS core, per NF: no gNB, eNB, UE or session, so every
 * gauge is 0 and every counter grew by 0 over the interval. Both the spec on the upstream 2.7.7 metrics pages
 * and the lab's test on the live NFs expect exactly these, so a KPI added or renamed shows in both at once.
 */
export const IDLE_OPEN5GS_KPIS = {
  amf: {
    registration_requests: 0,
    registration_successes: 0,
    auth_requests: 0,
    auth_rejects: 0,
    gnbs_connected: 0,
    registered_ues: 0,
    ran_ues: 0,
    amf_sessions: 0,
  },
  smf: {
    pdu_session_requests: 0,
    pdu_sessions_active: 0,
    ues_active: 0,
    bearers_active: 0,
  },
  upf: { upf_sessions: 0, n3_packets_in_per_s: 0, n3_packets_out_per_s: 0 },
  mme: { enbs_connected: 0, enb_ues: 0, mme_sessions: 0 },
} as const;
