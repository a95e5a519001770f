import { describe, expect, it } from 'vitest';
import { computeKpis, type MetricsSnapshot } from './open5gs-metrics.js';
import { parsePrometheusText } from './prometheus-text.js';

const snap = (at: number, ...lines: string[]): MetricsSnapshot => ({
  at,
  exposition: parsePrometheusText(lines.join('\n')),
});

const amf = (at: number, req: number, succ: number, authReq: number, authReject: number) =>
  snap(
    at,
    '# TYPE fivegs_amffunction_rm_reginitreq counter',
    `fivegs_amffunction_rm_reginitreq ${req}`,
    '# TYPE fivegs_amffunction_rm_reginitsucc counter',
    `fivegs_amffunction_rm_reginitsucc ${succ}`,
    '# TYPE fivegs_amffunction_amf_authreq counter',
    `fivegs_amffunction_amf_authreq ${authReq}`,
    '# TYPE fivegs_amffunction_amf_authreject counter',
    `fivegs_amffunction_amf_authreject ${authReject}`,
    '# TYPE gnb gauge',
    'gnb 2',
    '# TYPE ran_ue gauge',
    'ran_ue 40',
    '# TYPE amf_session gauge',
    'amf_session 55',
    '# TYPE fivegs_amffunction_rm_registeredsubnbr gauge',
    'fivegs_amffunction_rm_registeredsubnbr{plmnid="00101",snssai="1-000001"} 70',
    'fivegs_amffunction_rm_registeredsubnbr{plmnid="00101",snssai="2"} 5',
  );

describe('computeKpis: AMF', () => {
  it('gives gauges on the first scrape and no interval KPIs without a previous one', () => {
    expect(computeKpis('amf', amf(0, 100, 90, 100, 2), null)).toEqual({
      gnbs_connected: 2,
      registered_ues: 75,
      ran_ues: 40,
      amf_sessions: 55,
    });
  });

  it('computes registration success and auth failure ratios from counter deltas over the interval', () => {
    const kpis = computeKpis('amf', amf(15_000, 200, 170, 210, 7), amf(0, 100, 90, 100, 2));
    expect(kpis).toMatchObject({
      registration_requests: 100,
      registration_successes: 80,
      registration_success_ratio: 0.8,
      auth_requests: 110,
      auth_rejects: 5,
    });
    expect(kpis.auth_failure_ratio).toBeCloseTo(5 / 110);
  });

  it('treats a counter below its previous value as reset (NF restart) and counts from zero', () => {
    const kpis = computeKpis('amf', amf(15_000, 10, 9, 10, 0), amf(0, 5000, 4900, 5000, 10));
    expect(kpis).toMatchObject({ registration_requests: 10, registration_successes: 9 });
    expect(kpis.registration_success_ratio).toBeCloseTo(0.9);
  });

  it('leaves the ratios out when there were no requests in the interval', () => {
    const kpis = computeKpis('amf', amf(15_000, 100, 90, 100, 2), amf(0, 100, 90, 100, 2));
    expect(kpis.registration_requests).toBe(0);
    expect(kpis).not.toHaveProperty('registration_success_ratio');
    expect(kpis).not.toHaveProperty('auth_failure_ratio');
  });

  it('clamps a ratio to [0, 1] when counters disagree', () => {
    const kpis = computeKpis('amf', amf(15_000, 110, 130, 100, 2), amf(0, 100, 90, 100, 2));
    expect(kpis.registration_success_ratio).toBe(1);
  });

  it('falls back to ran_ue while the per-slice gauge has no series (Open5GS creates them on first use)', () => {
    const kpis = computeKpis(
      'amf',
      snap(0, '# TYPE gnb gauge', 'gnb 4', '# TYPE ran_ue gauge', 'ran_ue 12'),
      null,
    );
    expect(kpis).toEqual({ gnbs_connected: 4, registered_ues: 12, ran_ues: 12 });
  });

  it('also sums a gnb family split into series (not how 2.7.7 exports it; tolerated)', () => {
    const kpis = computeKpis(
      'amf',
      snap(
        0,
        '# TYPE gnb gauge',
        'gnb{addr="10.0.0.1"} 1',
        'gnb{addr="10.0.0.2"} 1',
        'gnb{addr="10.0.0.3"} 0',
      ),
      null,
    );
    expect(kpis).toEqual({ gnbs_connected: 2 });
  });

  it('counts 0 gNBs for a declared family without series and nothing for an absent one', () => {
    expect(computeKpis('amf', snap(0, '# HELP gnb gNodeBs', '# TYPE gnb gauge'), null)).toEqual({
      gnbs_connected: 0,
    });
    expect(computeKpis('amf', snap(0, 'unrelated 1'), null)).toEqual({});
  });
});

describe('computeKpis: SMF', () => {
  const smf = (at: number, req: number, succ: number, fail: number | null) =>
    snap(
      at,
      '# TYPE fivegs_smffunction_sm_pdusessioncreationreq counter',
      `fivegs_smffunction_sm_pdusessioncreationreq{plmnid="",snssai=""} ${req}`,
      '# TYPE fivegs_smffunction_sm_pdusessioncreationsucc counter',
      `fivegs_smffunction_sm_pdusessioncreationsucc{plmnid="00101",snssai="1"} ${succ}`,
      ...(fail === null
        ? []
        : [
            '# TYPE fivegs_smffunction_sm_pdusessioncreationfail counter',
            ...(fail > 0 ? [`fivegs_smffunction_sm_pdusessioncreationfail{cause="26"} ${fail}`] : []),
          ]),
      '# TYPE fivegs_smffunction_sm_sessionnbr gauge',
      'fivegs_smffunction_sm_sessionnbr{plmnid="00101",snssai="1"} 30',
      'fivegs_smffunction_sm_sessionnbr{plmnid="00101",snssai="2"} 12',
      'ues_active 40',
      'bearers_active 44',
    );

  it('reports active sessions summed over slices, UEs and bearers', () => {
    expect(computeKpis('smf', smf(0, 10, 10, null), null)).toEqual({
      pdu_sessions_active: 42,
      ues_active: 40,
      bearers_active: 44,
    });
  });

  it('derives PDU session success from req − fail when the failure counter is exported', () => {
    // succ grew by 40 for 20 requests (counted twice); the failure counter says 2 of 20 failed.
    const kpis = computeKpis('smf', smf(15_000, 30, 50, 2), smf(0, 10, 10, 0));
    expect(kpis.pdu_session_requests).toBe(20);
    expect(kpis.pdu_session_success_ratio).toBeCloseTo(0.9);
  });

  it('falls back to succ / req without the failure counter', () => {
    const kpis = computeKpis('smf', smf(15_000, 30, 25, null), smf(0, 10, 10, null));
    expect(kpis.pdu_session_success_ratio).toBeCloseTo(0.75);
  });

  it('reads the legacy global sessions_active gauge', () => {
    expect(computeKpis('smf', snap(0, 'sessions_active 9'), null)).toEqual({ pdu_sessions_active: 9 });
  });
});

describe('computeKpis: UPF', () => {
  const upf = (at: number, inPkts: number, outPkts: number, sessions: number) =>
    snap(
      at,
      '# TYPE fivegs_ep_n3_gtp_indatapktn3upf counter',
      `fivegs_ep_n3_gtp_indatapktn3upf ${inPkts}`,
      '# TYPE fivegs_ep_n3_gtp_outdatapktn3upf counter',
      `fivegs_ep_n3_gtp_outdatapktn3upf ${outPkts}`,
      '# TYPE fivegs_upffunction_upf_sessionnbr gauge',
      `fivegs_upffunction_upf_sessionnbr ${sessions}`,
    );

  it('turns N3 packet counters into packets per second over the scrape interval', () => {
    expect(computeKpis('upf', upf(10_000, 3000, 5000, 41), upf(0, 1000, 1000, 40))).toEqual({
      upf_sessions: 41,
      n3_packets_in_per_s: 200,
      n3_packets_out_per_s: 400,
    });
  });

  it('gives no rate when the clock did not move forward', () => {
    expect(computeKpis('upf', upf(0, 3000, 5000, 41), upf(0, 1000, 1000, 40))).toEqual({ upf_sessions: 41 });
  });

  it('ignores NaN samples', () => {
    expect(computeKpis('upf', snap(0, 'fivegs_upffunction_upf_sessionnbr NaN'), null)).toEqual({});
  });
});

describe('computeKpis: MME and other NFs', () => {
  it('reads the unlabelled enb, enb_ue and mme_session gauges of Open5GS 2.7.7', () => {
    const kpis = computeKpis(
      'mme',
      snap(0, '# TYPE enb gauge', 'enb 3', 'enb_ue 17', 'mme_session 19'),
      null,
    );
    expect(kpis).toEqual({ enbs_connected: 3, enb_ues: 17, mme_sessions: 19 });
  });

  it('takes a connected="total" series as the total rather than summing it with per-eNB series (tolerated)', () => {
    const kpis = computeKpis(
      'mme',
      snap(
        0,
        '# TYPE enb gauge',
        'enb{connected="total"} 2',
        'enb{connected="10.1.0.1"} 1',
        'enb{connected="10.1.0.2"} 1',
        'enb{connected="10.1.0.3"} 0',
        'enb_ue 17',
        'mme_session 19',
      ),
      null,
    );
    expect(kpis).toEqual({ enbs_connected: 2, enb_ues: 17, mme_sessions: 19 });
  });

  it('has no KPIs for NFs without them (the monitor still tracks up/down)', () => {
    expect(computeKpis('nrf', snap(0, 'ran_ue 3'), null)).toEqual({});
  });
});
