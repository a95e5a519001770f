import type { NetworkSpec } from '../network-spec/network-spec.js';
import { upfsOf } from '../network-spec/user-plane.js';
import { NF_TYPES, type NfType } from './open5gs-metrics.js';
import type { ScrapeTarget } from './scrape-targets.js';

/** NFs whose metrics server also serves Open5GS's JSON state API (/gnb-info, /ue-info, /pdu-info, /enb-info). */
const STATE_API_NFS: ReadonlySet<NfType> = new Set(['amf', 'smf', 'mme']);

type Endpoint = { address: string; port: number };

const hostPart = (address: string) => (address.includes(':') ? `[${address}]` : address);

/**
 * The scrape targets of the NFs an applied network spec declares with a metrics endpoint. A spec with several
 * UPFs gets one target per UPF, named as its file (`upf-<name>`); the single-UPF form stays `upf`.
 */
export function targetsFromSpec(spec: NetworkSpec): ScrapeTarget[] {
  const nfs = spec.nf as unknown as Record<string, { metrics?: Endpoint } | undefined>;
  return NF_TYPES.flatMap((nf) => {
    const nodes: [string, Endpoint | undefined][] =
      nf === 'upf' ? upfsOf(spec).map((u) => [u.file, u.node.metrics]) : [[nf, nfs[nf]?.metrics]];
    return nodes.flatMap(([name, metrics]) => {
      if (!metrics) return [];
      const base = `http://${hostPart(metrics.address)}:${metrics.port}`;
      return [
        { nf, name, metricsUrl: `${base}/metrics`, ...(STATE_API_NFS.has(nf) ? { stateUrl: base } : {}) },
      ];
    });
  });
}
