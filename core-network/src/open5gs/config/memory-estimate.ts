/**
 * The memory `global.max.ue` costs. Open5GS sizes its object pools (UEs, sessions, bearers, PFCP/GTP
 * nodes, …) from max.ue at start-up and touches them, so an idle NF's resident memory grows linearly with
 * it — the SMF, UPF, SGW-C and SGW-U by far the most. Pure: max.ue in, megabytes out.
 *
 * The numbers are the resident set size (VmRSS) of idle Open5GS 2.7.7 NFs (x86-64 Debian bookworm build of
 * the lab's build kit, demo spec, no RAN attached), measured by the lab's real-NF test
 * (lab/test/e2e/open5gs-real-nfs.e2e.spec.ts) at max.ue 1024 and 12288; between and beyond, linear.
 * pcf, udr, hss and pcrf need MongoDB, so they were not measured and are not counted.
 */

/** The NFs measured: the 12 that run without MongoDB, in start order (NRF and SCP first). */
export const MEASURED_NFS = [
  'nrf',
  'scp',
  'amf',
  'smf',
  'upf',
  'ausf',
  'udm',
  'nssf',
  'bsf',
  'mme',
  'sgwc',
  'sgwu',
] as const;
export type MeasuredNf = (typeof MEASURED_NFS)[number];

const LOW_UE = 1024;
const HIGH_UE = 12288;

/** RSS in MB at max.ue 1024 and 12288. */
const MEASURED_MB: Record<MeasuredNf, readonly [low: number, high: number]> = {
  nrf: [18, 47],
  scp: [18, 48],
  amf: [21, 51],
  smf: [53, 357],
  upf: [34, 272],
  ausf: [17, 45],
  udm: [17, 46],
  nssf: [17, 45],
  bsf: [17, 45],
  mme: [16, 33],
  sgwc: [27, 275],
  sgwu: [26, 259],
};

export type MemoryEstimate = {
  readonly maxUe: number;
  /** Sum over the measured NFs, rounded to 10 MB. */
  readonly totalMb: number;
  readonly perNfMb: Readonly<Record<MeasuredNf, number>>;
};

export function estimateOpen5gsMemory(maxUe: number): MemoryEstimate {
  const perNfMb = {} as Record<MeasuredNf, number>;
  let total = 0;
  for (const nf of MEASURED_NFS) {
    const [low, high] = MEASURED_MB[nf];
    const mb = Math.max(low * 0.5, low + ((high - low) * (maxUe - LOW_UE)) / (HIGH_UE - LOW_UE));
    perNfMb[nf] = Math.round(mb);
    total += mb;
  }
  return { maxUe, totalMb: Math.round(total / 10) * 10, perNfMb };
}

/** One line for `open5gs render`: what the rendered max.ue costs in memory. */
export function memoryEstimateLine(maxUe: number): string {
  const e = estimateOpen5gsMemory(maxUe);
  const top = [...MEASURED_NFS]
    .sort((a, b) => e.perNfMb[b] - e.perNfMb[a])
    .slice(0, 4)
    .map((nf) => `${nf} ${e.perNfMb[nf]}`)
    .join(', ');
  return (
    `max.ue ${maxUe} → about ${e.totalMb.toLocaleString('en-US')} MB of memory across the ${MEASURED_NFS.length} ` +
    `NFs that run without MongoDB (${top} MB; measured on Open5GS 2.7.7, idle)`
  );
}
