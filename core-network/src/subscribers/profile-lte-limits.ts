import type { SpecIssue } from '../network-spec/network-spec.js';
import { MAX_S6A_BANDWIDTH_BPS } from '../open5gs/config/open5gs-limits.js';
import type { BitrateUnit, SubscriberProfile } from './profile.js';

const UNIT_BPS: Record<BitrateUnit, number> = { bps: 1, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9, Tbps: 1e12 };
const bps = (b: { value: number; unit: BitrateUnit }) => b.value * UNIT_BPS[b.unit];

/**
 * AMBRs 4G cannot carry: Open5GS's HSS sends the UE AMBR and every APN AMBR in S6a Max-Requested-Bandwidth-UL/DL
 * (Unsigned32 bits per second, TS 29.272 §7.3.41) and caps them at 2^32 - 1 (src/hss/hss-s6a-path.c,
 * ogs_uint64_to_uint32() in lib/core/ogs-macros.h); it never sends the Extended-Max-Requested-BW AVPs. A 4G
 * UE gets about 4.29 Gbps however high the profile says; 5G carries the full value. Warnings, not errors.
 */
export function lteAmbrWarnings(profile: SubscriberProfile): SpecIssue[] {
  const over = (path: string, ambr: SubscriberProfile['ambr']): SpecIssue[] =>
    (['downlink', 'uplink'] as const)
      .filter((dir) => bps(ambr[dir]) > MAX_S6A_BANDWIDTH_BPS)
      .map((dir) => ({
        path: `${path}.${dir}`,
        message: `${ambr[dir].value} ${ambr[dir].unit} is more than 4G carries: Open5GS's HSS sends AMBRs as 32-bit bits per second (S6a Max-Requested-Bandwidth, TS 29.272 §7.3.41), so a 4G UE gets ${MAX_S6A_BANDWIDTH_BPS} bps (about 4.29 Gbps); 5G is not limited`,
      }));
  return [
    ...over('ambr', profile.ambr),
    ...profile.slices.flatMap((s, i) =>
      s.sessions.flatMap((x, j) => over(`slices[${i}].sessions[${j}].ambr`, x.ambr)),
    ),
  ];
}
