import type { NetworkSpec } from '../network-spec/network-spec.js';
import { NF_TYPES, type NfType } from './open5gs-metrics.js';
import type { ScrapeTarget } from './scrape-targets.js';

/** NFs whose metrics server also serves Open5GS's JSON state API (/gnb-info, /ue-info, /pdu-info, /enb-info). */
const STATE_API_NFS: ReadonlySet<NfType> = new Set(['amf', 'smf', 'mme']);

type Endpoint = { address: string; port: number };

const hostPart = (address: string) => (address.includes(':') ? `[${address}]` : address);

/** The scrape targets of the NFs an applied network spec declares with a metrics endpoint. */
export function targetsFromSpec(spec: NetworkSpec): ScrapeTarget[] {
  const nfs = spec.nf as unknown as Record<string, { metrics?: Endpoint } | undefined>;
  return NF_TYPES.flatMap((nf) => {
    const metrics = nfs[nf]?.metrics;
    if (!metrics) return [];
    const base = `http://${hostPart(metrics.address)}:${metrics.port}`;
    return [
      { nf, name: nf, metricsUrl: `${base}/metrics`, ...(STATE_API_NFS.has(nf) ? { stateUrl: base } : {}) },
    ];
  });
}
