import { describe, expect, it } from 'vitest';
import {
  fetchNfStateSummary,
  fetchOpen5gsStateList,
  parseStatePage,
  type StateFetchOptions,
} from './open5gs-state.js';

// Example responses of the Open5GS infoAPI tutorial (docs/_docs/tutorial/07-infoAPI-UE-gNB-session-data.md).
const GNB_INFO = {
  items: [
    {
      gnb_id: 100,
      plmn: '99970',
      network: { amf_name: 'efire-amf0', ngap_port: 38412 },
      ng: {
        sctp: { peer: '[192.168.168.100]:60110', max_out_streams: 2, next_ostream_id: 1 },
        setup_success: true,
      },
      supported_ta_list: [
        {
          tac: '000001',
          bplmns: [
            { plmn: '99970', snssai: [{ sst: 1, sd: 'ffffff' }] },
            { plmn: '99971', snssai: [{ sst: 2, sd: '000000' }] },
          ],
        },
      ],
      num_connected_ues: 2,
    },
  ],
  pager: { page: 0, page_size: 100, count: 1 },
};
const PDU_INFO = {
  items: [
    {
      supi: 'imsi-231510000114763',
      pdu: [
        {
          psi: 1,
          dnn: 'internet',
          ipv4: '10.45.0.11',
          snssai: { sst: 1, sd: 'ffffff' },
          qos_flows: [{ qfi: 1, '5qi': 9 }],
          pdu_state: 'inactive',
        },
      ],
      ue_activity: 'idle',
    },
  ],
  pager: { page: 0, page_size: 100, count: 1 },
};
const ENB_INFO = {
  items: [
    {
      enb_id: 264040,
      plmn: '99970',
      network: { mme_name: 'efire-mme0' },
      s1: {
        sctp: { peer: '[192.168.168.254]:36412', max_out_streams: 10, next_ostream_id: 3 },
        setup_success: true,
      },
      supported_ta_list: [{ tac: '0001', plmn: '99970' }],
      num_connected_ues: 1,
    },
  ],
  pager: { page: 0, page_size: 100, count: 1 },
};

type Route = (url: URL) => Response;
function options(route: Route, calls: string[] = []): StateFetchOptions {
  return {
    timeoutMs: 1_000,
    maxBytes: 1024 * 1024,
    maxPages: 5,
    fetch: (input) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      calls.push(`${url.pathname}${url.search}`);
      return Promise.resolve(route(url));
    },
  };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('parseStatePage', () => {
  it('accepts the documented shapes, keeping unknown fields', () => {
    const page = parseStatePage('gnb-info', JSON.stringify(GNB_INFO));
    expect(page.hasNext).toBe(false);
    expect(page.items[0]).toMatchObject({ gnb_id: 100, network: { amf_name: 'efire-amf0' } });
    expect(parseStatePage('pdu-info', JSON.stringify(PDU_INFO)).items[0]?.pdu?.[0]).toMatchObject({
      qos_flows: [{ qfi: 1, '5qi': 9 }],
    });
  });

  it('follows the pager: next means more, truncated means the NF ran out of memory', () => {
    const next = { ...GNB_INFO, pager: { page: 0, page_size: 100, count: 100, next: '/gnb-info?page=1' } };
    expect(parseStatePage('gnb-info', JSON.stringify(next)).hasNext).toBe(true);
    const cut = { ...GNB_INFO, pager: { page: 0, page_size: 100, count: 1, truncated: true } };
    expect(parseStatePage('gnb-info', JSON.stringify(cut)).truncated).toBe(true);
  });

  it('treats the bare "[]" fallback of an oversized dump as truncated', () => {
    expect(parseStatePage('ue-info', '[]')).toEqual({ items: [], hasNext: false, truncated: true });
  });

  it('rejects non-JSON and wrong shapes with the endpoint and the path at fault', () => {
    expect(() => parseStatePage('gnb-info', 'Bad Request\n')).toThrow('gnb-info: the response is not JSON');
    expect(() => parseStatePage('gnb-info', JSON.stringify({ items: [{ gnb_id: 'x' }] }))).toThrow(
      /gnb-info: unexpected response \(items\.0\.gnb_id: /,
    );
    expect(() => parseStatePage('pdu-info', JSON.stringify({ data: [] }))).toThrow(
      /pdu-info: unexpected response \(items: /,
    );
  });
});

describe('fetchOpen5gsStateList', () => {
  const ue = (i: number) => ({
    supi: `imsi-00101000000${String(i).padStart(4, '0')}`,
    cm_state: i % 2 ? 'idle' : 'connected',
  });
  const paged: Route = (url) => {
    const page = Number(url.searchParams.get('page'));
    const items = Array.from({ length: page < 2 ? 100 : 30 }, (_, i) => ue(page * 100 + i));
    return json({
      items,
      pager: {
        page,
        page_size: 100,
        count: items.length,
        ...(page < 2 ? { next: `/ue-info?page=${page + 1}` } : {}),
      },
    });
  };

  it('walks pages of 100 until the pager has no next', async () => {
    const calls: string[] = [];
    const list = await fetchOpen5gsStateList('http://amf:9090/', 'ue-info', options(paged, calls));
    expect(list.items).toHaveLength(230);
    expect(list.complete).toBe(true);
    expect(calls).toEqual([
      '/ue-info?page=0&page_size=100',
      '/ue-info?page=1&page_size=100',
      '/ue-info?page=2&page_size=100',
    ]);
  });

  it('stops at maxPages and says the list is incomplete', async () => {
    const list = await fetchOpen5gsStateList('http://amf:9090', 'ue-info', {
      ...options(paged),
      maxPages: 2,
    });
    expect(list).toMatchObject({ complete: false });
    expect(list.items).toHaveLength(200);
  });
});

describe('fetchNfStateSummary', () => {
  it('summarises an AMF: gNBs with peers and UEs by CM state, no subscriber identities', async () => {
    const route: Route = (url) =>
      url.pathname === '/gnb-info'
        ? json(GNB_INFO)
        : json({
            items: [
              { supi: 'imsi-1', cm_state: 'connected' },
              { supi: 'imsi-2', cm_state: 'idle' },
            ],
            pager: { count: 2 },
          });
    const summary = await fetchNfStateSummary('amf', 'http://amf:9090', options(route));
    expect(summary).toEqual({
      ranNodes: [
        {
          id: 100,
          plmn: '99970',
          peer: '[192.168.168.100]:60110',
          connectedUes: 2,
          setupSuccess: true,
          tacs: ['000001'],
        },
      ],
      ues: { count: 2, connected: 1, complete: true },
      pduSessions: null,
      errors: [],
    });
    expect(JSON.stringify(summary)).not.toContain('imsi-');
  });

  it('summarises an MME and an SMF', async () => {
    const mme = await fetchNfStateSummary(
      'mme',
      'http://mme:9090',
      options((u) => (u.pathname === '/enb-info' ? json(ENB_INFO) : json({ items: [] }))),
    );
    expect(mme.ranNodes).toEqual([
      {
        id: 264040,
        plmn: '99970',
        peer: '[192.168.168.254]:36412',
        connectedUes: 1,
        setupSuccess: true,
        tacs: ['0001'],
      },
    ]);
    const smf = await fetchNfStateSummary(
      'smf',
      'http://smf:9090',
      options(() => json(PDU_INFO)),
    );
    expect(smf.pduSessions).toEqual({ ues: 1, sessions: 1, active: 0, complete: true });
  });

  it('collects failures per endpoint instead of throwing, hinting at builds without the infoAPI', async () => {
    const route: Route = (url) =>
      url.pathname === '/gnb-info' ? new Response('Bad Request\n', { status: 400 }) : json({ items: 'nope' });
    const summary = await fetchNfStateSummary('amf', 'http://amf:9090', options(route));
    expect(summary.ranNodes).toBeNull();
    expect(summary.errors).toEqual([
      'gnb-info: HTTP 400 (no infoAPI in this Open5GS build?)',
      'ue-info: unexpected response (items: Invalid input: expected array, received string)',
    ]);
  });

  it('asks nothing of NFs without state endpoints', async () => {
    const calls: string[] = [];
    expect(
      await fetchNfStateSummary(
        'upf',
        'http://upf:9090',
        options(() => json({}), calls),
      ),
    ).toEqual({
      ranNodes: null,
      ues: null,
      pduSessions: null,
      errors: [],
    });
    expect(calls).toEqual([]);
  });
});
