import { readFileSync } from 'node:fs';
import { computeKpis, parsePrometheusText, type PromExposition } from '@pakawaaz/core-network';
import { afterEach, describe, expect, it } from 'vitest';
import { startNfSimulator, type NfSimulator, type NfSimulatorOptions } from './nf-simulator.js';

let sims: NfSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

/** A simulator on a clock the test moves by hand. */
async function start(options: Partial<NfSimulatorOptions> = {}) {
  const clock = { t: 1_700_000_000_000 };
  const sim = await startNfSimulator({
    nfs: ['amf', 'smf', 'upf', 'mme'],
    seed: 7,
    now: () => clock.t,
    ...options,
  });
  sims.push(sim);
  return { sim, clock };
}

async function get(url: string): Promise<{ status: number; type: string | null; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

async function metrics(sim: NfSimulator, name: string): Promise<PromExposition> {
  const page = await get(sim.nf(name).target.metricsUrl);
  expect(page.status).toBe(200);
  return parsePrometheusText(page.body);
}

const value = (exp: PromExposition, name: string, labels: Record<string, string> = {}): number | undefined =>
  exp.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;

/** The /metrics page of a real idle Open5GS 2.7.7 NF (captured by the lab's real-NF test run). */
const realPage = (nf: string): PromExposition =>
  parsePrometheusText(
    readFileSync(
      new URL(
        `../../../core-network/src/network-health/__upstream__/open5gs-2.7.7/${nf}.metrics.txt`,
        import.meta.url,
      ),
      'utf8',
    ),
  );

/**
 * Label names of the lazily created families (an idle NF has no series for them), from Open5GS 2.7.7's
 * src/{amf,smf,upf}/metrics.c (labels_slice, labels_cause, labels_dnn); every other family is unlabelled.
 */
const REAL_LABELS: Record<string, string> = {
  fivegs_amffunction_rm_registeredsubnbr: 'plmnid,snssai',
  fivegs_amffunction_rm_reginitfail: 'cause',
  fivegs_amffunction_amf_authfail: 'cause',
  fivegs_smffunction_sm_sessionnbr: 'plmnid,snssai',
  fivegs_smffunction_sm_pdusessioncreationreq: 'plmnid,snssai',
  fivegs_smffunction_sm_pdusessioncreationsucc: 'plmnid,snssai',
  fivegs_smffunction_sm_pdusessioncreationfail: 'cause',
  fivegs_upffunction_upf_qosflows: 'dnn',
};

describe('startNfSimulator', () => {
  it('serves one metrics server per NF on loopback, each target flagged simulated', async () => {
    const { sim } = await start();
    expect(sim.targets.map((t) => [t.nf, t.name, t.simulated])).toEqual([
      ['amf', 'sim-amf', true],
      ['smf', 'sim-smf', true],
      ['upf', 'sim-upf', true],
      ['mme', 'sim-mme', true],
    ]);
    const ports = new Set(sim.targets.map((t) => new URL(t.metricsUrl).port));
    expect(ports.size).toBe(4);
    for (const t of sim.targets) expect(t.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(sim.nf('sim-upf').target).not.toHaveProperty('stateUrl');
    expect(sim.nf('sim-amf').target.stateUrl).toBe(
      sim.nf('sim-amf').target.metricsUrl.replace('/metrics', ''),
    );
  });

  it('exports the Open5GS 2.7 metric names, with types, in the 0.0.4 text format', async () => {
    const { sim } = await start();
    const amfPage = await get(sim.nf('sim-amf').target.metricsUrl);
    expect(amfPage.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const amf = parsePrometheusText(amfPage.body);
    for (const name of [
      'fivegs_amffunction_rm_reginitreq',
      'fivegs_amffunction_rm_reginitsucc',
      'fivegs_amffunction_amf_authreq',
      'fivegs_amffunction_amf_authreject',
    ])
      expect(amf.families.get(name)?.type).toBe('counter');
    for (const name of ['gnb', 'ran_ue', 'amf_session', 'fivegs_amffunction_rm_registeredsubnbr'])
      expect(amf.families.get(name)?.type).toBe('gauge');
    expect(value(amf, 'gnb')).toBe(3);
    const smf = await metrics(sim, 'sim-smf');
    for (const name of [
      'fivegs_smffunction_sm_pdusessioncreationreq',
      'fivegs_smffunction_sm_pdusessioncreationsucc',
      'ues_active',
      'bearers_active',
      'fivegs_smffunction_sm_sessionnbr',
    ])
      expect(smf.families.has(name)).toBe(true);
    const upf = await metrics(sim, 'sim-upf');
    for (const name of [
      'fivegs_ep_n3_gtp_indatapktn3upf',
      'fivegs_ep_n3_gtp_outdatapktn3upf',
      'fivegs_upffunction_upf_sessionnbr',
    ])
      expect(upf.families.has(name)).toBe(true);
    const mme = await metrics(sim, 'sim-mme');
    expect(value(mme, 'enb')).toBe(2);
    expect(mme.families.has('enb_ue') && mme.families.has('mme_session')).toBe(true);
  });

  it('exports only families the real Open5GS 2.7.7 NFs export, with their types, HELP texts and label names', async () => {
    const { sim } = await start();
    for (const nf of ['amf', 'smf', 'upf', 'mme'] as const) {
      const real = realPage(nf);
      const simulated = await metrics(sim, `sim-${nf}`);
      for (const [name, meta] of simulated.families) {
        expect(real.families.get(name), `${nf}: ${name}`).toEqual(meta);
        const labels = (e: PromExposition) => [
          ...new Set(
            e.samples.filter((x) => x.name === name).map((x) => Object.keys(x.labels).sort().join(',')),
          ),
        ];
        const want = REAL_LABELS[name] ?? '';
        expect(
          labels(simulated).filter((l) => l !== want),
          `${nf}: labels of ${name}`,
        ).toEqual([]);
        expect(
          labels(real).filter((l) => l !== want),
          `${nf}: real labels of ${name}`,
        ).toEqual([]);
      }
    }
  });

  it('changes over time: counters grow, gauges drift, and the KPIs come out realistic', async () => {
    const { sim, clock } = await start();
    const before = { amf: await metrics(sim, 'sim-amf'), upf: await metrics(sim, 'sim-upf') };
    clock.t += 60_000;
    const after = { amf: await metrics(sim, 'sim-amf'), upf: await metrics(sim, 'sim-upf') };
    const reqs = (e: PromExposition) => value(e, 'fivegs_amffunction_rm_reginitreq') ?? 0;
    expect(reqs(after.amf)).toBeGreaterThan(reqs(before.amf) + 60);
    expect(value(after.amf, 'ran_ue')).not.toBe(value(before.amf, 'ran_ue'));

    const amf = computeKpis(
      'amf',
      { at: clock.t, exposition: after.amf },
      { at: clock.t - 60_000, exposition: before.amf },
    );
    expect(amf.registration_success_ratio).toBeGreaterThan(0.85);
    expect(amf.gnbs_connected).toBe(3);
    expect(amf.registered_ues).toBeGreaterThan(150);
    const upf = computeKpis(
      'upf',
      { at: clock.t, exposition: after.upf },
      { at: clock.t - 60_000, exposition: before.upf },
    );
    expect(upf.n3_packets_in_per_s).toBeGreaterThan(100);
    expect(upf.n3_packets_out_per_s).toBeGreaterThan(upf.n3_packets_in_per_s ?? Infinity);
  });

  it('is deterministic for a seed and a clock, and differs between seeds', async () => {
    const pages = async (seed: number) => {
      const { sim, clock } = await start({ seed });
      clock.t += 45_000;
      return Promise.all(sim.targets.map(async (t) => (await get(t.metricsUrl)).body));
    };
    const [a, b, c] = [await pages(42), await pages(42), await pages(43)];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('injects registration failures', async () => {
    const { sim, clock } = await start({ world: { registrationsPerSecond: 20 } });
    const before = { at: clock.t, exposition: await metrics(sim, 'sim-amf') };
    sim.setRegistrationFailureRate(0.5);
    clock.t += 30_000;
    const kpis = computeKpis('amf', { at: clock.t, exposition: await metrics(sim, 'sim-amf') }, before);
    expect(kpis.registration_success_ratio).toBeGreaterThan(0.4);
    expect(kpis.registration_success_ratio).toBeLessThan(0.6);
    expect(() => sim.setRegistrationFailureRate(1.5)).toThrow(RangeError);
  });

  it('drops UPF sessions, which UEs then re-establish', async () => {
    const { sim, clock } = await start({ nfs: ['upf', { nf: 'upf', name: 'upf-edge' }] });
    const sessions = async (name: string) =>
      value(await metrics(sim, name), 'fivegs_upffunction_upf_sessionnbr') ?? NaN;
    const full = await sessions('sim-upf');
    sim.dropUpfSessions(60, 'sim-upf');
    expect(await sessions('sim-upf')).toBeCloseTo(full * 0.4, -1);
    expect(await sessions('upf-edge')).toBeGreaterThan(full * 0.9);
    clock.t += 120_000;
    expect(await sessions('sim-upf')).toBeGreaterThan(full * 0.9);
  });

  it('stops and starts an NF on the same port, and restarts its counters from zero', async () => {
    const { sim, clock } = await start({ nfs: ['amf'] });
    const amf = sim.nf('sim-amf');
    const url = amf.target.metricsUrl;
    await amf.stop();
    expect(amf.running).toBe(false);
    await expect(fetch(url)).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
    await amf.start();
    expect(amf.target.metricsUrl).toBe(url);
    clock.t += 30_000;
    const grown = value(await metrics(sim, 'sim-amf'), 'fivegs_amffunction_rm_reginitreq') ?? 0;
    amf.restart();
    clock.t += 5_000;
    expect(value(await metrics(sim, 'sim-amf'), 'fivegs_amffunction_rm_reginitreq')).toBeLessThan(grown);
  });

  it('answers with an injected status, and late when asked to', async () => {
    const { sim } = await start({ nfs: ['smf'] });
    const smf = sim.nf('sim-smf');
    smf.respondWith(503);
    expect(await get(smf.target.metricsUrl)).toMatchObject({ status: 503, body: 'Service Unavailable\n' });
    smf.respondWith(null);
    smf.setLatency(150);
    const t0 = performance.now();
    expect((await get(smf.target.metricsUrl)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('counts gNBs going away down to 0 in the one gnb gauge, like Open5GS 2.7.7', async () => {
    const { sim } = await start({ nfs: ['amf'] });
    sim.setGnbCount(0);
    const amf = await metrics(sim, 'sim-amf');
    expect(amf.samples.filter((s) => s.name === 'gnb').map((s) => s.value)).toEqual([0]);
    expect(value(amf, 'ran_ue')).toBe(0);
  });

  it('mirrors the Open5GS metrics server routes: health, 400 for unknown paths and methods, 404 for other NFs’ APIs', async () => {
    const { sim } = await start({ nfs: ['upf', 'amf'] });
    const upf = sim.nf('sim-upf').target.metricsUrl.replace('/metrics', '');
    expect(await get(`${upf}/`)).toMatchObject({ status: 200, body: 'OK\n' });
    expect(await get(`${upf}/nope`)).toMatchObject({ status: 400, body: 'Bad Request\n' });
    expect(await get(`${upf}/gnb-info`)).toMatchObject({
      status: 404,
      body: 'gnb-info endpoint not available on this NF\n',
    });
    const post = await fetch(`${upf}/metrics`, { method: 'POST' });
    expect([post.status, await post.text()]).toEqual([400, 'Invalid HTTP Method\n']);
  });

  it('serves the JSON infoAPI with Open5GS paging', async () => {
    const { sim } = await start({ world: { subscribers: 250 } });
    const amf = sim.nf('sim-amf').target.stateUrl;
    const gnbs = JSON.parse((await get(`${amf}/gnb-info`)).body) as {
      items: { gnb_id: number }[];
      pager: unknown;
    };
    expect(gnbs.items.map((g) => g.gnb_id)).toEqual([100, 101, 102]);
    expect(gnbs.pager).toEqual({ page: 0, page_size: 100, count: 3 });
    const page1 = JSON.parse((await get(`${amf}/ue-info?page=1`)).body) as {
      items: { supi: string }[];
      pager: unknown;
    };
    expect(page1.items).toHaveLength(100);
    expect(page1.items[0]?.supi).toBe('imsi-001010000000101');
    expect(page1.pager).toEqual({
      page: 1,
      page_size: 100,
      count: 100,
      prev: '/ue-info?page=0',
      next: '/ue-info?page=2',
    });
    const all = JSON.parse((await get(`${amf}/ue-info?page=-1`)).body) as {
      items: unknown[];
      pager: unknown;
    };
    expect(all.items.length).toBe(sim.world.registered);
    const pdu = JSON.parse((await get(`${sim.nf('sim-smf').target.stateUrl}/pdu-info?page_size=5`)).body) as {
      items: { pdu: { dnn: string; pdu_state: string }[] }[];
    };
    expect(pdu.items).toHaveLength(5);
    expect(pdu.items[0]?.pdu[0]?.dnn).toBe('internet');
    const enbs = JSON.parse((await get(`${sim.nf('sim-mme').target.stateUrl}/enb-info`)).body) as {
      items: { enb_id: number }[];
    };
    expect(enbs.items.map((e) => e.enb_id)).toEqual([264040, 264041]);
  });

  it('refuses duplicate names and an empty NF list', async () => {
    await expect(
      startNfSimulator({
        nfs: [
          { nf: 'amf', name: 'x' },
          { nf: 'smf', name: 'x' },
        ],
      }),
    ).rejects.toThrow(/unique/);
    await expect(startNfSimulator({ nfs: [] })).rejects.toThrow(/at least one NF/);
  });
});
