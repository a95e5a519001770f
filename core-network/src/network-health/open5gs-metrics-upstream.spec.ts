import { readFileSync } from 'node:fs';
import { IDLE_OPEN5GS_KPIS } from '@pakawaaz/test-support';
import { describe, expect, it } from 'vitest';
import { computeKpis, OPEN5GS_METRICS, type MetricsSnapshot } from './open5gs-metrics.js';
import { parsePrometheusText } from './prometheus-text.js';

/*
 * The /metrics pages of the real, idle Open5GS 2.7.7 AMF, SMF, UPF and MME (__upstream__/open5gs-2.7.7/, see
 * its README): the parser reads them, every metric the KPIs use is there under that name and type, and an
 * idle core's KPIs come out as zeros. The lab's real-NF test asserts the same against the live NFs.
 */
const page = (nf: string) =>
  readFileSync(new URL(`./__upstream__/open5gs-2.7.7/${nf}.metrics.txt`, import.meta.url), 'utf8');
const snap = (nf: string, at: number): MetricsSnapshot => ({ at, exposition: parsePrometheusText(page(nf)) });

/** The type each KPI input has in Open5GS 2.7.7 (src/{amf,smf,upf,mme}/metrics.c). */
const COUNTERS = new Set<string>([
  OPEN5GS_METRICS.amf.regInitReq,
  OPEN5GS_METRICS.amf.regInitSucc,
  OPEN5GS_METRICS.amf.authReq,
  OPEN5GS_METRICS.amf.authReject,
  OPEN5GS_METRICS.smf.pduCreationReq,
  OPEN5GS_METRICS.smf.pduCreationSucc,
  OPEN5GS_METRICS.smf.pduCreationFail,
  OPEN5GS_METRICS.upf.n3InPackets,
  OPEN5GS_METRICS.upf.n3OutPackets,
]);

describe('the KPIs on the real Open5GS 2.7.7 metrics pages', () => {
  for (const nf of ['amf', 'smf', 'upf', 'mme'] as const)
    it(`${nf}: every metric the KPIs read is declared, with the type the KPIs assume`, () => {
      const { families } = snap(nf, 0).exposition;
      for (const name of Object.values(OPEN5GS_METRICS[nf])) {
        if (name === OPEN5GS_METRICS.smf.sessionsActiveLegacy) {
          expect(families.has(name), 'the pre-2.7 gauge is gone').toBe(false);
          continue;
        }
        expect(families.get(name)?.type, name).toBe(COUNTERS.has(name) ? 'counter' : 'gauge');
      }
    });

  it('gives the KPIs of an idle core: no gNB, eNB, UE or session, nothing counted over an interval', () => {
    for (const nf of ['amf', 'smf', 'upf', 'mme'] as const)
      expect(computeKpis(nf, snap(nf, 15_000), snap(nf, 0)), nf).toEqual(IDLE_OPEN5GS_KPIS[nf]);
  });
});
